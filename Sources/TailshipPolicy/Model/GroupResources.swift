/// A `resources` entry: an API group ("" is core; no wildcard, as in the apiserver) and resources in it.
public struct GroupResources: Sendable, Equatable {
    public var group: String
    /// Empty: every resource of the group.
    public var resources: [String]
    /// Empty: any object name.
    public var resourceNames: [String]

    public init(group: String, resources: [String] = [], resourceNames: [String] = []) {
        self.group = group
        self.resources = resources
        self.resourceNames = resourceNames
    }
}
