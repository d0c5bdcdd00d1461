import Foundation
import TailshipTail

/// Any bytes are a registry or a `RegistryError`. A registry that loads is
/// usable (matching heads, snapshots) and survives being written and read back.
enum RegistryFuzz {
    static func run(_ data: [UInt8]) -> String? {
        let set: RegistrySet
        do {
            set = try RegistryStore.decode(Data(data), path: "fuzz")
        } catch let error as RegistryError {
            if error.description.isEmpty { return "a RegistryError without a message" }
            return nil
        } catch {
            return "the registry loader threw something other than a RegistryError: \(error)"
        }
        var written = RegistrySet(outputs: set.outputs)
        if let legacy = set.legacy { written.outputs["default"] = legacy }
        for (name, document) in written.outputs {
            let registry = Registry(document, now: 0)
            _ = registry.entries(matchingHead: Array(data.prefix(4096)))
            written.outputs[name] = registry.snapshot().document
        }
        do {
            let again = try RegistryStore.decode(try RegistryStore.encode(written), path: "fuzz")
            if again != written { return "a registry read back differs from the one written" }
        } catch {
            return "a loaded registry cannot be written and read back: \(error)"
        }
        return nil
    }
}
