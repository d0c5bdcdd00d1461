import Foundation
import Testing
import TailshipWebhook

/// EventList bodies to lines, in-process: what the log backend would have written, or a refusal naming the problem.
@Suite struct EventListBodyTests {
    private func lines(_ text: String) -> Result<EventListBody.Lines, WebhookRefusal> { EventListBody.lines(Array(text.utf8)) }
    private func text(_ r: Result<EventListBody.Lines, WebhookRefusal>) -> String? {
        if case .success(let l) = r { return String(decoding: l.bytes, as: UTF8.self) }
        return nil
    }
    private func refusal(_ r: Result<EventListBody.Lines, WebhookRefusal>) -> String? {
        if case .failure(let f) = r { return f.message }
        return nil
    }
    private let head = #"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":"#

    @Test func itemsBecomeLogBackendLines() {
        let r = lines(head + #"[{"level":"Metadata","auditID":"a","stage":"ResponseComplete","verb":"get"},{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"None","auditID":"b","stage":"RequestReceived"}]}"#)
        #expect(text(r) == """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a","stage":"ResponseComplete","verb":"get"}
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"None","auditID":"b","stage":"RequestReceived"}

            """)
    }

    @Test func prettyPrintedItemsAreMadeOneLineWithStringsKept() {
        let r = lines(head + "[\n  {\n    \"auditID\": \"a\",\n    \"stage\": \"ResponseComplete\",\n    \"requestURI\": \"/api?x= y\\n\"\n  }\n]\n}")
        #expect(text(r) == #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","requestURI":"/api?x= y\n"}"# + "\n")
    }

    @Test func anItemWithOnlyOneOfKindAndApiVersionGetsTheOther() {
        let r = lines(head + #"[{"apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"Panic"}]}"#)
        #expect(text(r) == #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"Panic"}"# + "\n")
    }

    @Test func emptyOrMissingItemsAppendNothing() {
        if case .success(let l) = lines(head + "[]}") { #expect(l.events == 0 && l.bytes.isEmpty) } else { Issue.record("refused") }
        if case .success(let l) = lines(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1"}"#) { #expect(l.events == 0) } else { Issue.record("refused") }
    }

    @Test func refusalsNameTheProblem() {
        let cases: [(String, String)] = [
            ("", "empty body"),
            ("[1,2]", "not one JSON object"),
            (#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"auditID":"a","stage":"x"}"#, "not one JSON object"),
            (#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"auditID":"a","stage":"x",}]}"#, "not one JSON object"),
            (#"{"kind":"Event","apiVersion":"audit.k8s.io/v1"}"#, #"kind is "Event", not "EventList""#),
            (#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1beta1","items":[]}"#, #"apiVersion is "audit.k8s.io/v1beta1""#),
            (#"{"apiVersion":"audit.k8s.io/v1","items":[]}"#, "kind is missing"),
            (head + #"{"a":1}}"#, "items is not a list"),
            (head + #"[{"auditID":"a","stage":"x"},3]}"#, "items[1]: not an object"),
            (head + #"[{"stage":"x"}]}"#, "items[0]: no auditID"),
            (head + #"[{"auditID":"a","stage":""}]}"#, "items[0]: no stage"),
            (head + #"[{"kind":"Pod","auditID":"a","stage":"x"}]}"#, #"items[0]: kind is not "Event""#),
        ]
        for (body, message) in cases {
            let got = refusal(lines(body))
            #expect(got?.contains(message) == true, "\(body): \(got ?? "accepted")")
        }
    }
}
