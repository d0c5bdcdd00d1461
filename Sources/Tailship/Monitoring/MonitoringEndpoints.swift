import TailshipBasics
import Foundation
import NIOHTTP1
import TailshipShip
import TailshipTail

/// What the monitoring server answers: /metrics, /healthz and /readyz; anything else is 404.
struct MonitoringEndpoints: Sendable {
    let metrics: DaemonMetrics
    let state: DaemonState
    let lanes: LaneTable
    let policies: PolicyHolder
    /// Seconds the output may have work without a success before /readyz fails.
    let readyMaxFailureAge: Double
    /// With `audit_metrics`: the users behind /audit/top.
    let topUsers: TopUsers?

    func respond(_ method: HTTPMethod, _ uri: String) -> MonitoringServer.Response {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard method == .GET || method == .HEAD else { return text(.notFound, "not found\n") }
        switch path {
        case "/metrics":
            let body = metrics.render(lanes: lanes.all, state: state, policyActive: policies.policy != nil)
            return MonitoringServer.Response(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: body)
        case "/healthz":
            // Answering at all shows the process and its event loops are alive.
            return text(.ok, "ok\n")
        case "/audit/top" where topUsers != nil:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let report = topUsers!.report(now: Double(UTCTime.nowNanoseconds()) / 1e9)
            let body = (try? encoder.encode(report)).map(Array.init) ?? Array("{}".utf8)
            return MonitoringServer.Response(status: .ok, contentType: "application/json", body: body)
        case "/readyz":
            let problems = readinessProblems(now: UTCTime.nowNanoseconds())
            return problems.isEmpty ? text(.ok, "ready\n") : text(.serviceUnavailable, "not ready: " + problems.joined(separator: "; ") + "\n")
        default:
            return text(.notFound, "not found\n")
        }
    }

    /// Empty when ready: the configuration is loaded (it is, or there would be no
    /// daemon), the readers are following, and every output is idle or has succeeded recently.
    func readinessProblems(now: Int64) -> [String] {
        var problems: [String] = []
        if !state.isFollowing { problems.append("not following files (starting or stopping)") }
        for lane in lanes.all where lane.stats.inFlightBatches.load(ordering: .relaxed) > 0 {
            let since = Double(now - lane.stats.lastOutputProgress.load(ordering: .relaxed)) / 1e9
            if since > readyMaxFailureAge {
                problems.append("output \"\(lane.name)\" has had batches to send but no success for \(Int(since)) s (ready_max_failure_age \(Int(readyMaxFailureAge)) s)")
            }
        }
        return problems
    }

    private func text(_ status: HTTPResponseStatus, _ body: String) -> MonitoringServer.Response {
        MonitoringServer.Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }
}
