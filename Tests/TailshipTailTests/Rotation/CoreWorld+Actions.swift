import TailshipShip
import TailshipTestSupport
@testable import TailshipTail

/// What the writers, the rotators and the operator do.
extension CoreWorld {
    func apply(_ action: CoreAction) {
        switch action {
        case .write(let n, let torn): write(n, torn: torn)
        case .rotate(let createNow): rotate(createNow: createNow)
        case .compress(let partial): compressOldest(partial: partial)
        case .copytruncate(let timing, let gzipCopy, let lost): copytruncate(timing, gzipCopy: gzipCopy, lostLines: lost)
        case .deleteOldest:
            settle(rounds: 100)
            if let oldest = backups().first { fs.remove(oldest) }
        case .deleteOpenBackup:
            let open = tailer?.followers.filter { $0.phase == .backup && (try? fs.status($0.path).get())?.identity == $0.identity } ?? []
            if let victim = open.first { fs.remove(victim.path) }
        case .flush: flush()
        case .restart(let clean):
            if clean { stopCleanly() } else { kill() }
            start()
        case .stop: stopCleanly()
        case .start: if tailer == nil { start() }
        case .acknowledge: sink.acknowledgeSome(&rng)
        }
    }

    /// Lines `L000123 xxx…`, each to the current generation.
    func lines(_ n: Int, expected isExpected: Bool = true) -> [UInt8] {
        var text: [UInt8] = []
        for _ in 0..<n {
            let id = sink.generationOf.count
            sink.generationOf.append(generation)
            if isExpected { expected.insert(id) }
            let digits = String(id)
            text += Array(("L" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + " ").utf8)
            text += [UInt8](repeating: UInt8(ascii: "x"), count: rng.below(90)) + [0x0A]
        }
        return text
    }

    func write(_ n: Int, torn: Bool) {
        let text = lines(n)
        guard torn, text.count > 2 else { return fs.append(text, to: Self.live) }
        let cut = text.count - 1 - rng.below(min(40, text.count - 1))
        fs.append(Array(text[..<cut]), to: Self.live)
        lookAround()
        fs.append(Array(text[cut...]), to: Self.live)
    }

    func rotate(createNow: Bool) {
        guard fs.contents(Self.live) != nil else { return }
        rotations += 1
        let name = String(format: "k8s_audit-2026-11-26T00-%02d-%02d.000.log", rotations / 60, rotations % 60)
        fs.rename(Self.live, to: "\(Self.directory)/\(name)")
        generation += 1
        if createNow { fs.create(Self.live) }
    }

    func compressOldest(partial: Bool) {
        guard let plain = backups().first(where: { !$0.hasSuffix(".gz") }), let bytes = fs.contents(plain),
              let gz = try? Gzip.compress(bytes, level: 1) else { return }
        if partial {
            let cut = gz.count / 2
            fs.append(Array(gz[..<cut]), to: plain + ".gz")
            lookAround()
            fs.append(Array(gz[cut...]), to: plain + ".gz")
        } else {
            fs.append(gz, to: plain + ".gz")
        }
        fs.remove(plain)
    }

    func copytruncate(_ timing: CoreAction.CopyTiming, gzipCopy: Bool, lostLines: Int) {
        guard let snapshot = fs.contents(Self.live) else { return }
        rotations += 1
        // Written after the copy was taken and before the truncation: gone with it (logrotate's own race).
        if lostLines > 0 { fs.append(lines(lostLines, expected: false), to: Self.live) }
        let copy = String(format: "%@/k8s_audit.log-20261126-%d", Self.directory, Self.day + rotations) + (gzipCopy ? ".gz" : "")
        let bytes = gzipCopy ? ((try? Gzip.compress(snapshot, level: 1)) ?? []) : snapshot
        switch timing {
        case .before:
            fs.append(bytes, to: copy)
            truncateLive()
        case .during:
            // Seen while logrotate is still copying; truncated once the copy is complete.
            let cut = bytes.count / 2
            fs.append(Array(bytes[..<cut]), to: copy)
            lookAround()
            fs.append(Array(bytes[cut...]), to: copy)
            truncateLive()
        case .after:
            truncateLive()
            lookAround()
            fs.append(bytes, to: copy)
        }
    }

    private func truncateLive() {
        fs.truncate(Self.live, to: 0)
        generation += 1
    }

    /// Backups on disk, oldest first (their names carry an increasing counter).
    func backups() -> [String] {
        fs.paths.filter { $0 != Self.live && $0.hasPrefix(Self.directory + "/k8s_audit") }.sorted { order($0) < order($1) }
    }

    private func order(_ path: String) -> Int {
        let name = String(path.dropFirst(Self.directory.count + 1))
        if name.hasPrefix("k8s_audit.log-") { return Int(name.split(separator: "-").last!.prefix { $0.isNumber })! - Self.day }
        let stamp = name.dropFirst("k8s_audit-".count).prefix(23)
        return Int(stamp.dropFirst(14).prefix(2))! * 60 + Int(stamp.dropFirst(17).prefix(2))!
    }
}
