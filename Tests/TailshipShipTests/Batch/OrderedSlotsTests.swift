import Testing
@testable import TailshipShip

/// Request slots go to tickets in order, whatever order they ask in.
@Suite struct OrderedSlotsTests {
    actor Log {
        var order: [UInt64] = []
        func add(_ t: UInt64) { order.append(t) }
    }

    @Test func ticketsAskingOutOfOrderAreAdmittedInOrder() async {
        let slots = OrderedSlots(1)
        let log = Log()
        await withTaskGroup(of: Void.self) { group in
            for ticket in [3, 1, 4, 0, 2].map(UInt64.init) {
                group.addTask {
                    guard await slots.acquire(ticket: ticket) else { return }
                    await log.add(ticket)
                    slots.release()
                }
            }
        }
        #expect(await log.order == [0, 1, 2, 3, 4])
    }

    @Test func aSkippedTicketDoesNotHoldTheOthersBack() async {
        let slots = OrderedSlots(2)
        slots.skip(ticket: 1)
        let first = await slots.acquire(ticket: 0)
        let third = await slots.acquire(ticket: 2)
        #expect(first && third)
    }

    @Test func closeReleasesWaitersWithFalse() async {
        let slots = OrderedSlots(1)
        async let waiting = slots.acquire(ticket: 5)
        try? await Task.sleep(for: .milliseconds(50))
        slots.close()
        #expect(await waiting == false)
        #expect(await slots.acquire(ticket: 0) == false)
    }
}
