/// How the tailer reports what it does, without importing a metrics library.
public protocol TailObserver: Sendable {
    func bytesRead(_ count: Int)
    func fileOpened(path: String)
    func fileClosed(path: String)
    func fileTruncated(path: String)
    func readError(path: String, errno: Int32)
}

extension TailObserver {
    public func bytesRead(_ count: Int) {}
    public func fileOpened(path: String) {}
    public func fileClosed(path: String) {}
    public func fileTruncated(path: String) {}
    public func readError(path: String, errno: Int32) {}
}

public struct NoTailObserver: TailObserver {
    public init() {}
}
