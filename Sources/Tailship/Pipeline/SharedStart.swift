import TailshipTail

/// Which outputs the shared reader feeds at start: those whose stored offsets are the
/// same (all of them after a clean stop with every output keeping up, or with a new or
/// migrated registry). The largest such set shares; an output elsewhere reads on its own
/// (a reader that skipped per output would read from the slowest output's offset for all).
enum SharedStart {
    static func members(_ outputs: [(name: String, document: RegistryDocument?)]) -> [String] {
        var classes: [(key: Key?, names: [String])] = []
        for (name, document) in outputs {
            let key = document.map { Key(createdAt: $0.createdAt, positions: positions($0)) }
            if let i = classes.firstIndex(where: { $0.key == key }) { classes[i].names.append(name) } else { classes.append((key, [name])) }
        }
        // The largest set; the first output's on a tie.
        return classes.max { $0.names.count < $1.names.count }?.names ?? []
    }

    struct Key: Hashable {
        var createdAt: Double?
        var positions: [Position]
    }

    struct Position: Hashable {
        var device: UInt64
        var inode: UInt64
        var fingerprint: String
        var offset: UInt64
        var finalSize: UInt64?
        var retired: Bool
    }

    /// What reading depends on: each entry's content and offset (not when it was last seen).
    static func positions(_ document: RegistryDocument) -> [Position] {
        let entries = document.entries.map { Position(device: $0.device, inode: $0.inode, fingerprint: $0.fingerprint, offset: $0.offset,
                                                     finalSize: $0.finalSize, retired: false) }
        let retired = (document.retired ?? []).map { Position(device: $0.device, inode: $0.inode, fingerprint: $0.fingerprint,
                                                             offset: $0.offset, finalSize: $0.finalSize, retired: true) }
        return (entries + retired).sorted { ($0.device, $0.inode, $0.fingerprint, $0.retired ? 1 : 0) < ($1.device, $1.inode, $1.fingerprint, $1.retired ? 1 : 0) }
    }
}
