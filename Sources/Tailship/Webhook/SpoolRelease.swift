import Foundation
import TailshipTail
import TailshipWebhook

/// Whether a closed spool segment may be deleted: every output acknowledged it to its end,
/// by an entry that is this segment's own (its fingerprint matches the segment's first bytes
/// over enough of them, so an entry of an earlier segment whose inode was reused never counts).
enum SpoolRelease {
    static func acknowledged(_ segment: SpoolSegment, head: [UInt8], entries: [RegistryEntry?]) -> Bool {
        if segment.size == 0 { return true }
        let enough = min(head.count, Fingerprint.distinguishingLength)
        return entries.allSatisfy { entry in
            guard let entry, entry.offset >= segment.size, let fp = entry.fingerprintValue else { return false }
            return fp.length >= enough && fp.identifies(head: head)
        }
    }

    /// The first bytes of a segment, as the registry fingerprints them.
    static func head(of segment: SpoolSegment) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: segment.path) else { return [] }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: Fingerprint.maxLength)) ?? Data())
    }
}
