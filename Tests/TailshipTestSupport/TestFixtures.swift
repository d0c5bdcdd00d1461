import Foundation

/// Test data kept in the repository (`Tests/Fixtures/`, origins and licences in its SOURCES.md files):
/// audit logs written by real API servers and Kubernetes audit policies.
public enum TestFixtures {
    /// `Tests/Fixtures`, found from this source file so tests run from any working directory.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// `Tests/Fixtures/real`: audit logs from real clusters.
    public static var real: URL { directory.appendingPathComponent("real") }

    /// `Tests/Fixtures/policies`: audit policies.
    public static var policies: URL { directory.appendingPathComponent("policies") }
}
