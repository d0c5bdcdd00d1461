extension FormatEncoder {
    /// One line's row; nil when the line is not an audit event and `on_invalid` keeps it out
    /// (it is then listed in `invalid` or counted in `dropped`).
    func clickHouseEntry(_ line: UnsafeRawBufferPointer, _ options: ClickHouseOptions, index: Int,
                         into result: inout Encoded) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(line.count * 2 + 256)
        let row = ClickHouseRow(line.baseAddress!.assumingMemoryBound(to: UInt8.self), line.count)
        if row.isAuditEvent {
            row.write(line, to: &out)
            return out
        }
        result.notObjects += 1
        switch options.onInvalid {
        case .store:
            ClickHouseRow.writeInvalid(line, to: &out)
            return out
        case .deadLetter:
            result.invalid.append(index)
        case .drop:
            result.dropped += 1
        }
        return nil
    }
}
