import Foundation

/// The inputs kept in the repository: `fuzz/corpus/TARGET/` (interesting
/// inputs the fuzzer found) and `fuzz/regressions/TARGET/` (inputs that once
/// failed; each is a regression test).
public enum FuzzCorpus {
    /// Every regular file at `path`, or `path` itself when it is a file; sorted.
    public static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(path)/\($0)" }
    }
}
