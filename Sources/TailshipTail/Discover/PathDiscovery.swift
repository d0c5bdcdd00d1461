#if canImport(Glibc)
import Glibc
#endif

/// Expands the configured paths (plain files or shell globs) into existing regular files.
public struct PathDiscovery: Sendable {
    public let patterns: [String]
    let fileSystem: any FileSystem

    public init(patterns: [String], fileSystem: any FileSystem = PosixFileSystem()) {
        self.patterns = patterns
        self.fileSystem = fileSystem
    }

    /// Matching regular files, each once, in pattern order then name order.
    public func expand() -> [String] { expandReporting().files }

    /// Where backups are looked for: the matched files, and the literal paths whose
    /// live file is missing right now (their backups are still part of the input).
    public func backupSearchPaths(matched: [String]) -> [String] {
        let literal = patterns.filter { !$0.contains(where: { "*?[".contains($0) }) }
        return Array(Set(matched + literal)).sorted()
    }

    /// The matching regular files, and the paths that should be files but
    /// cannot be used: a literal path that is a directory or cannot be
    /// reached (permissions), or a match that cannot be resolved (a symlink
    /// loop). Directories matched by a glob are simply not files.
    public func expandReporting() -> (files: [String], problems: [(path: String, reason: String)]) {
        var seen = Set<String>()
        var result: [String] = []
        var problems: [(path: String, reason: String)] = []
        for pattern in patterns {
            let literal = !pattern.contains(where: { "*?[".contains($0) })
            var matches = fileSystem.glob(pattern)
            if literal && matches.isEmpty { matches = [pattern] }
            for path in matches where !seen.contains(path) {
                let status: FileStatus
                switch fileSystem.status(path) {
                case .success(let s): status = s
                case .failure(let error):
                    // Not there (yet) is normal: a live file between rotations, a file to come.
                    if error.code != ENOENT { problems.append((path, error.description)) }
                    continue
                }
                guard status.isRegular else {
                    if literal { problems.append((path, status.kind == .directory ? "is a directory, not a file" : "is not a regular file")) }
                    continue
                }
                seen.insert(path)
                result.append(path)
            }
        }
        return (result, problems)
    }

    /// The directories whose entries can change what the patterns match.
    public var watchDirectories: [String] {
        var dirs: [String] = []
        for pattern in patterns {
            var dir = pattern
            // Cut at the first component holding a glob character.
            if let magic = pattern.firstIndex(where: { "*?[".contains($0) }) {
                dir = String(pattern[..<magic])
            }
            if let slash = dir.lastIndex(of: "/") {
                dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
            } else {
                dir = "."
            }
            if !dirs.contains(dir) { dirs.append(dir) }
        }
        return dirs
    }
}
