import Testing
@testable import Tailship

@Suite struct ResolvedConfigTests {
    func resolve(_ yaml: String) throws -> ResolvedConfig { try resolveConfig(yaml) }
    func error(_ yaml: String) -> String { configError(yaml) }

    let minimal = "inputs:\n  - paths: [/var/log/k8s_audit.log]\noutput:\n  file: {directory: /tmp/out}\n"

    @Test func defaultsMatchTheDocumentedOnes() throws {
        let c = try resolve(minimal)
        #expect(c.inputs[0].maxLineBytes == 16 << 20)
        #expect(c.inputs[0].startAtEnd == false)
        #expect(c.registryPath == "/var/lib/tailship/registry.json")
        #expect(c.flushInterval.milliseconds == 1000)
        #expect(c.batch.maxEvents == 1000)
        #expect(c.batch.maxBytes == 1 << 20)
        #expect(c.batch.maxWait == 1)
        #expect(c.compressionLevel == 1)
        #expect(c.shutdownTimeout.milliseconds == 30_000)
        #expect(c.deadLetterDirectory == "/var/lib/tailship/dead-letter")
        guard case .file(let dir, let max, _) = c.output else { Issue.record("expected file output"); return }
        #expect(dir == "/tmp/out")
        #expect(max == 128 << 20)
    }

    @Test func sizesAndDurationsParse() {
        #expect(ByteSize.parse("16MiB")?.bytes == 16 << 20)
        #expect(ByteSize.parse("512 KiB")?.bytes == 512 << 10)
        #expect(ByteSize.parse("2GiB")?.bytes == 2 << 30)
        #expect(ByteSize.parse("100B")?.bytes == 100)
        #expect(ByteSize.parse("4096")?.bytes == 4096)
        #expect(ByteSize.parse("16MB") == nil)
        #expect(ByteSize.parse("-1") == nil)
        #expect(DurationValue.parse("500ms")?.milliseconds == 500)
        #expect(DurationValue.parse("1.5s")?.milliseconds == 1500)
        #expect(DurationValue.parse("5m")?.milliseconds == 300_000)
        #expect(DurationValue.parse("1h")?.milliseconds == 3_600_000)
        #expect(DurationValue.parse("soon") == nil)
        #expect(ByteSize(16 << 20).description == "16MiB")
        #expect(DurationValue(milliseconds: 90_000).description == "90s")
    }

    @Test func errorsNameTheKeyPath() {
        #expect(error("inputs:\n  - paths: [a]\n    start_at: middle\noutput:\n  file: {directory: /o}\n")
            == "inputs[0].start_at: must be beginning or end, not \"middle\"")
        #expect(error("inputs:\n  - paths: [a]\noutput:\n  file: {directory: /o}\n  http: {url: http://x/}\n")
            == "output: only one of http and file may be set")
        #expect(error("inputs:\n  - paths: [a]\noutput: {}\n") == "output: one of http or file is required")
        #expect(error("inputs:\n  - paths: [a]\noutput:\n  compression: zstd\n  file: {directory: /o}\n")
            == "output.compression: must be gzip or none, not \"zstd\"")
        #expect(error("inputs:\n  - paths: [a]\nbatch: {max_events: lots}\noutput:\n  file: {directory: /o}\n")
            == "batch.max_events: expected a whole number")
        #expect(error("registry: {paht: /x}\n") == "registry.paht: unknown key")
        #expect(error("output:\n  file: {directory: /o}\n") == "inputs: at least one input is required (or pass --path)")
    }

    @Test func overridesReplaceInputsAndOutput() throws {
        var o = ResolvedConfig.Overrides()
        o.paths = ["/a.log", "/b/*.log"]
        o.outputURL = "https://example.com/in"
        let c = try ResolvedConfig.resolve(ResolvedConfig.parse(minimal), overrides: o)
        #expect(c.inputs.map(\.paths) == [["/a.log", "/b/*.log"]])
        guard case .http(let h) = c.output else { Issue.record("expected http output"); return }
        #expect(h.url == "https://example.com/in")
    }
}
