@testable import Tailship
import Foundation
import Testing
import TailshipBasics
import TailshipTail
import TailshipWebhook

/// The webhook's pure decisions: the dedupe window, when a spool segment may go, and its configuration.
@Suite struct WebhookDecisionsTests {
    private func sighting(_ r: RecentEvents, _ line: String) -> Bool {
        Array(line.utf8).withUnsafeBytes { r.firstSighting($0) }
    }

    @Test func theDedupeWindowKeysOnAuditIDAndStageAndForgetsTheOldest() {
        let r = RecentEvents(capacity: 3)
        #expect(sighting(r, #"{"auditID":"a","stage":"RequestReceived"}"#))
        #expect(sighting(r, #"{"stage":"ResponseComplete","auditID":"a"}"#))
        #expect(!sighting(r, #"{"kind":"Event","auditID":"a","stage":"RequestReceived","verb":"get"}"#))
        // Nested values of the same names are not the event's.
        #expect(sighting(r, #"{"requestObject":{"auditID":"a","stage":"RequestReceived"},"auditID":"b","stage":"RequestReceived"}"#))
        #expect(sighting(r, #"{"auditID":"c","stage":"RequestReceived"}"#))
        // a/RequestReceived was the oldest of four: forgotten.
        #expect(sighting(r, #"{"auditID":"a","stage":"RequestReceived"}"#))
        // Not audit events: never copies.
        #expect(sighting(r, "not json") && sighting(r, "not json") && sighting(r, #"{"auditID":"z"}"#) && sighting(r, #"{"auditID":"z"}"#))
    }

    @Test func aSegmentGoesOnlyWhenEveryOutputAcknowledgedItsOwnContentToTheEnd() {
        let content = Array((String(repeating: #"{"kind":"Event","auditID":"x"}"#, count: 20) + "\n").utf8)
        let other = Array((String(repeating: #"{"kind":"Event","auditID":"y"}"#, count: 20) + "\n").utf8)
        let identity = FileIdentity(device: 1, inode: 2)
        let segment = SpoolSegment(number: 1, path: "/spool/segment-0000000000000001.log", identity: identity, size: UInt64(content.count))
        func entry(_ bytes: [UInt8], offset: Int) -> RegistryEntry {
            RegistryEntry(identity: identity, fingerprint: Fingerprint(head: bytes), path: segment.path, offset: UInt64(offset), lastSeen: 0)
        }
        let whole = entry(content, offset: content.count)
        #expect(SpoolRelease.acknowledged(segment, head: content, entries: [whole, whole]))
        #expect(!SpoolRelease.acknowledged(segment, head: content, entries: [whole, entry(content, offset: content.count - 1)]))
        #expect(!SpoolRelease.acknowledged(segment, head: content, entries: [whole, nil]))
        // An entry of an earlier segment whose inode this one reuses.
        #expect(!SpoolRelease.acknowledged(segment, head: content, entries: [entry(other, offset: 10_000)]))
        // A fingerprint taken over the first bytes alone (the same for every event line) does not tell.
        #expect(!SpoolRelease.acknowledged(segment, head: content, entries: [entry(Array(content.prefix(20)), offset: 10_000)]))
    }

    @Test func webhookInputsResolveAndErrorsNameTheKey() throws {
        let config = try resolveConfig("""
            inputs:
              - webhook: {listen: "127.0.0.1:9765", spool: {directory: /var/spool/t, max_bytes: 2GiB}, dedupe_with_files: true}
            output: {file: {directory: /tmp/o}}
            """)
        let input = try #require(config.inputs.first)
        #expect(input.paths == ["/var/spool/t/segment-*.log"] && input.backups == .none && !input.startAtEnd)
        #expect(input.webhook?.path == "/audit" && input.webhook?.spool.maxBytes == 2 << 30 && input.webhook?.spool.segmentBytes == 64 << 20)
        #expect(input.webhook?.maxBodyBytes == 64 << 20 && input.webhook?.dedupeWithFiles == true && input.webhook?.tls == nil)
        let errors: [(String, String)] = [
            (#"{listen: "9765"}"#, "inputs[0].webhook.listen"),
            (#"{path: audit}"#, "inputs[0].webhook.path"),
            (#"{spool: {max_bytes: 1MiB}}"#, "inputs[0].webhook.spool.max_bytes"),
            (#"{tls: {cert_file: /c.pem}}"#, "inputs[0].webhook.tls"),
            (#"{spool: {size: 1}}"#, "inputs[0].webhook.spool.size"),
        ]
        for (webhook, key) in errors {
            let message = configError("inputs:\n  - webhook: \(webhook)\noutput: {file: {directory: /tmp/o}}\n")
            #expect(message.contains(key), "\(webhook): \(message)")
        }
        #expect(configError("inputs:\n  - {webhook: {}, paths: [/x]}\noutput: {file: {directory: /tmp/o}}\n").contains("takes no paths"))
    }
}
