/// Where an open file stands. Transitions (see docs/ROTATION.md):
/// `live → rotatedAway` when its path no longer leads to it (renamed or deleted);
/// `rotatedAway → live` when a live path leads to it again;
/// a file opened as a backup starts and stays `backup`.
/// A `rotatedAway` or `backup` file is final: it is read to its end, then finished.
public enum FilePhase: Sendable, Equatable {
    /// At a followed path, may still grow or be truncated in place.
    case live
    /// Was live; its path now leads elsewhere. Read to its end, still checked for truncation.
    case rotatedAway
    /// Opened as a rotated copy or a .gz: never written again.
    case backup

    /// Nothing more will be written to it.
    public var isFinal: Bool { self != .live }
}
