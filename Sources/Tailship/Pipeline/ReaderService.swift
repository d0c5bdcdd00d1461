import Foundation
import ServiceLifecycle

/// Runs the reader loop on its own thread (it blocks in poll and read, which
/// must not tie up Swift's cooperative threads). First to stop on shutdown.
struct ReaderService: Service {
    let loop: ReaderLoop

    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [loop] in
                        loop.run()
                        done.resume()
                    }
                    thread.name = "tailship-reader"
                    thread.start()
                }
                // A backfill's reader ends on its own: stay until the group stops, in order.
                try? await gracefulShutdown()
            } onGracefulShutdown: {
                loop.requestStop()
            }
        } onCancel: {
            loop.requestStop()
        }
    }
}
