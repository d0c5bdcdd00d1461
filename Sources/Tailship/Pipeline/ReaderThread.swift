import Foundation

/// Runs a reader loop on a thread of its own (it blocks in poll and read, which must not
/// tie up Swift's cooperative threads); returns when the loop has ended.
enum ReaderThread {
    static func run(_ loop: ReaderLoop) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    loop.run()
                    done.resume()
                }
                thread.name = "tailship-reader"
                thread.start()
            }
        } onCancel: {
            loop.requestStop()
        }
    }
}
