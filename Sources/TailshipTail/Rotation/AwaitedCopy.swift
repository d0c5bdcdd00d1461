import TailshipBasics

/// What was read of a truncated file whose copy was not among the backups yet
/// (logrotate still copying or compressing it): a backup that later turns up with
/// these first bytes is read from `offset` on, with the framer's partial line.
struct AwaitedCopy: Sendable {
    /// Of the old contents, as read.
    var fingerprint: Fingerprint
    /// The bytes the fingerprint was taken over.
    var head: [UInt8]
    /// Next byte to read of the old contents.
    var offset: UInt64
    var framer: LineFramer
    /// The truncated file, and the epoch its old bytes' acks carry (redirected to the copy).
    var identity: FileIdentity
    var epoch: UInt64
    var path: String
    /// Monotonic seconds when the truncation was noticed.
    var since: Double
}
