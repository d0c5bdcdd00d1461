import Testing
@testable import TailshipTail

/// Collects what the framer emits, as plain values.
struct FramedLog {
    var lines: [(String, UInt64)] = []
    var oversize: [(bytes: [UInt8], end: UInt64, length: Int)] = []
    var currentOversize: [UInt8] = []

    mutating func record(_ piece: FramedPiece) {
        switch piece {
        case .line(let b, let end): lines.append((String(decoding: b, as: UTF8.self), end))
        case .oversizePart(let b, let first):
            if first { currentOversize = [] }
            currentOversize += b
        case .oversizeEnd(let end, let length):
            oversize.append((currentOversize, end, length))
            currentOversize = []
        }
    }
}

func feed(_ framer: inout LineFramer, _ text: String, base: UInt64, into log: inout FramedLog) {
    let bytes = Array(text.utf8)
    bytes.withUnsafeBytes { raw in framer.feed(raw, base: base) { log.record($0) } }
}

@Suite struct LineFramerTests {
    @Test func splitsLinesAndReportsEndOffsets() {
        var framer = LineFramer(maxLineBytes: 100)
        var log = FramedLog()
        feed(&framer, "a\nbb\nccc\n", base: 0, into: &log)
        #expect(log.lines.map(\.0) == ["a", "bb", "ccc"])
        #expect(log.lines.map(\.1) == [2, 5, 9])
    }

    @Test func emptyLinesAreEmittedAsEmpty() {
        var framer = LineFramer(maxLineBytes: 100)
        var log = FramedLog()
        feed(&framer, "\n\nx\n\n", base: 10, into: &log)
        #expect(log.lines.map(\.0) == ["", "", "x", ""])
        #expect(log.lines.map(\.1) == [11, 12, 14, 15])
    }

    @Test func partialLastLineWaitsUntilCompleted() {
        var framer = LineFramer(maxLineBytes: 100)
        var log = FramedLog()
        feed(&framer, "one\ntw", base: 0, into: &log)
        #expect(log.lines.map(\.0) == ["one"])
        #expect(framer.carriedBytes == 2)
        feed(&framer, "o\nthr", base: 6, into: &log)
        #expect(log.lines.map(\.0) == ["one", "two"])
        #expect(log.lines.last?.1 == 8)
        feed(&framer, "ee\n", base: 11, into: &log)
        #expect(log.lines.map(\.0) == ["one", "two", "three"])
        #expect(log.lines.last?.1 == 14)
    }

    @Test func lineExactlyAtLimitIsShipped() {
        var framer = LineFramer(maxLineBytes: 8)
        var log = FramedLog()
        feed(&framer, "12345678\n", base: 0, into: &log)
        #expect(log.lines.map(\.0) == ["12345678"])
        #expect(log.oversize.isEmpty)
    }

    @Test func lineOneByteOverLimitIsOversize() {
        var framer = LineFramer(maxLineBytes: 8)
        var log = FramedLog()
        feed(&framer, "123456789\nok\n", base: 0, into: &log)
        #expect(log.lines.map(\.0) == ["ok"])
        #expect(log.oversize.count == 1)
        #expect(String(decoding: log.oversize[0].bytes, as: UTF8.self) == "123456789")
        #expect(log.oversize[0].end == 10)
        #expect(log.oversize[0].length == 9)
    }

    @Test func limitCountsBytesCarriedAcrossChunks() {
        var framer = LineFramer(maxLineBytes: 8)
        var log = FramedLog()
        feed(&framer, "1234", base: 0, into: &log)
        feed(&framer, "5678", base: 4, into: &log)
        feed(&framer, "\n", base: 8, into: &log)
        #expect(log.lines.map(\.0) == ["12345678"])

        feed(&framer, "12345", base: 9, into: &log)
        feed(&framer, "6789", base: 14, into: &log)
        #expect(framer.carriedBytes == 9)
        feed(&framer, "abc\nz\n", base: 18, into: &log)
        #expect(log.oversize.count == 1)
        #expect(String(decoding: log.oversize[0].bytes, as: UTF8.self) == "123456789abc")
        #expect(log.oversize[0].end == 22)
        #expect(log.lines.map(\.0) == ["12345678", "z"])
    }

    @Test func oversizeLineNeverHeldInMemory() {
        var framer = LineFramer(maxLineBytes: 1024)
        var log = FramedLog()
        let chunk = String(repeating: "x", count: 4096)
        for i in 0..<64 {
            feed(&framer, chunk, base: UInt64(i * 4096), into: &log)
            // The framer's own buffer stays within the limit; the rest streams out.
            #expect(framer.pendingCapacityWithinLimit)
        }
        feed(&framer, "\n", base: 64 * 4096, into: &log)
        #expect(log.oversize.first?.length == 64 * 4096)
    }

    @Test func largeAuditEventPassesWhole() {
        var framer = LineFramer(maxLineBytes: 16 << 20)
        var log = FramedLog()
        let big = "{\"kind\":\"Event\",\"requestObject\":\"" + String(repeating: "a", count: 220_000) + "\"}"
        // Fed in odd-sized pieces, as reads return them.
        let bytes = Array((big + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = min(7919, bytes.count - offset)
            bytes[offset..<(offset + n)].withUnsafeBytes { raw in framer.feed(raw, base: UInt64(offset)) { log.record($0) } }
            offset += n
        }
        #expect(log.lines.count == 1)
        #expect(log.lines[0].0 == big)
        #expect(log.lines[0].1 == UInt64(bytes.count))
    }

    @Test func flushPartialShipsHeldLine() {
        var framer = LineFramer(maxLineBytes: 100)
        var log = FramedLog()
        feed(&framer, "done\nhalf", base: 0, into: &log)
        framer.flushPartial(end: 9) { log.record($0) }
        #expect(log.lines.map(\.0) == ["done", "half"])
        #expect(framer.carriedBytes == 0)
    }
}
