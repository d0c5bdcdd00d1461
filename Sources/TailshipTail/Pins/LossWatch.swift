import TailshipBasics

/// Notices rotated files that vanish while Tailship runs before any of their
/// bytes were read (deleted by lumberjack or logrotate while reading waited on
/// the output): the reader never opened them, so nothing else would say so.
/// A file whose content is still present elsewhere (its .gz, a pin) is not lost.
struct LossWatch {
    struct Seen {
        var path: String
        var head: [UInt8]
        var unshipped: UInt64
    }
    private(set) var seen: [FileIdentity: Seen] = [:]

    /// One file present now, and what it holds.
    struct Present {
        var identity: FileIdentity
        var path: String
        var head: [UInt8]
        var verdict: PinVerdict?
        /// The registry knows this identity: the reader opened it and reports it itself.
        var known: Bool
    }

    /// Records what is present; returns the files gone with unshipped bytes and no other copy.
    /// An identity now holding other content (its inode was reused) counts as gone.
    /// `known` says whether the registry knows a vanished file (by identity, or its content
    /// by its first bytes): the reader opened it, holds it open, and reports it itself if lost.
    mutating func update(_ present: [Present], known: (FileIdentity, Seen) -> Bool) -> [Seen] {
        let here = Dictionary(present.map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        var lost: [Seen] = []
        for (identity, s) in seen {
            if let p = here[identity], Self.sameContent(p.head, s.head) { continue }
            if known(identity, s) { continue }
            if present.contains(where: { Self.sameContent($0.head, s.head) }) { continue }
            lost.append(s)
        }
        seen = [:]
        for p in present {
            if case .unshipped(let n)? = p.verdict, !p.known, !p.head.isEmpty {
                seen[p.identity] = Seen(path: p.path, head: p.head, unshipped: n)
            }
        }
        return lost
    }

    /// Both start with the same bytes as far as both go (a head is at most 1 KiB).
    static func sameContent(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let n = min(a.count, b.count)
        return n > 0 && a[0..<n] == b[0..<n]
    }
}
