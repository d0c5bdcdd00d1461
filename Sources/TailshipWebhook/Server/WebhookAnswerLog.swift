import Logging
import Synchronization

/// What the webhook's answers say in the log: every refusal (the apiserver does not send
/// again a batch answered 4xx other than 429, so those events are gone), every 503, and
/// the spool becoming full and having room again (not each 429 in between).
final class WebhookAnswerLog: Sendable {
    private let logger: Logger
    private let full = Atomic<Bool>(false)

    init(logger: Logger) { self.logger = logger }

    func answered(_ status: Int, _ message: String, client: String) {
        switch status {
        case 200:
            if full.exchange(false, ordering: .relaxed) { logger.notice("webhook spool has room again: answering 200") }
        case 429:
            if !full.exchange(true, ordering: .relaxed) {
                logger.warning("webhook spool full: answering 429 with Retry-After until the outputs catch up", metadata: ["reason": "\(message)"])
            }
        case 503:
            logger.error("webhook request answered 503; the apiserver sends it again", metadata: ["reason": "\(message)", "client": "\(client)"])
        default:
            logger.warning("webhook request refused; the apiserver does not send it again",
                           metadata: ["status": "\(status)", "reason": "\(message)", "client": "\(client)"])
        }
    }
}
