#if canImport(Glibc)
import Glibc
#endif

/// Expands the configured paths (plain files or shell globs) into existing regular files.
public struct PathDiscovery: Sendable {
    public let patterns: [String]

    public init(patterns: [String]) {
        self.patterns = patterns
    }

    /// Matching regular files, each once, in pattern order then name order.
    public func expand() -> [String] { expandReporting().files }

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
            var matches = Self.glob(pattern)
            if literal && matches.isEmpty { matches = [pattern] }
            for path in matches where !seen.contains(path) {
                var st = stat()
                guard stat(path, &st) == 0 else {
                    let code = errno
                    // Not there (yet) is normal: a live file between rotations, a file to come.
                    if code != ENOENT { problems.append((path, String(cString: strerror(code)))) }
                    continue
                }
                guard (st.st_mode & S_IFMT) == S_IFREG else {
                    if literal { problems.append((path, (st.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not a file" : "is not a regular file")) }
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

    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { paths.append(String(cString: p)) }
        }
        return paths
    }
}
