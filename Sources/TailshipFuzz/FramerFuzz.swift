import TailshipTail

/// The first two bytes choose the line limit and the chunk sizes; the rest is
/// the stream. Reassembled lines must equal the input split on `\n`.
enum FramerFuzz {
    static func run(_ data: [UInt8]) -> String? {
        guard data.count >= 2 else { return nil }
        let maxLine = Int(data[0] % 64) + 1
        let chunkSeed = Int(data[1])
        let stream = Array(data[2...])
        var expected: [[UInt8]] = stream.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let trailing = expected.removeLast()

        var framer = LineFramer(maxLineBytes: maxLine)
        var got: [(bytes: [UInt8], end: UInt64, oversize: Bool)] = []
        var oversize: [UInt8] = []
        var failure: String?
        func take(_ piece: FramedPiece) {
            switch piece {
            case .line(let bytes, let end):
                if bytes.count > maxLine { failure = "a line of \(bytes.count) bytes passed as normal with limit \(maxLine)" }
                got.append((Array(bytes), end, false))
            case .oversizePart(let bytes, let first):
                if first != oversize.isEmpty { failure = "oversize part marked first=\(first) after \(oversize.count) bytes" }
                oversize.append(contentsOf: bytes)
            case .oversizeEnd(let end, let length):
                if length != oversize.count { failure = "oversize end says \(length) bytes, parts held \(oversize.count)" }
                if length <= maxLine { failure = "oversize line of \(length) bytes with limit \(maxLine)" }
                got.append((oversize, end, true))
                oversize.removeAll()
            }
        }
        var offset = 0
        var step = 0
        while offset < stream.count {
            let size = min(stream.count - offset, 1 + (chunkSeed * 7 + step * 13) % 97)
            stream.withUnsafeBytes { raw in
                framer.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)]), base: UInt64(offset), take)
            }
            offset += size
            step += 1
        }
        if let failure { return failure }
        if framer.carriedBytes != trailing.count { return "carried \(framer.carriedBytes) bytes, the stream ends with \(trailing.count)" }
        if got.count != expected.count { return "\(got.count) lines framed, \(expected.count) in the stream" }
        var end = 0
        for (index, line) in expected.enumerated() {
            end += line.count + 1
            if got[index].bytes != line { return "line \(index) differs" }
            if got[index].end != UInt64(end) { return "line \(index) ends at \(got[index].end), expected \(end)" }
            if got[index].oversize != (line.count > maxLine) { return "line \(index) of \(line.count) bytes: oversize=\(got[index].oversize) with limit \(maxLine)" }
        }
        got.removeAll()
        framer.flushPartial(end: UInt64(stream.count), take)
        if let failure { return failure }
        if trailing.isEmpty != got.isEmpty { return "flush gave \(got.count) pieces for a \(trailing.count)-byte tail" }
        if let last = got.first, last.bytes != trailing { return "flushed tail differs" }
        return nil
    }
}
