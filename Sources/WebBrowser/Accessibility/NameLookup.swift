/// Finding elements the way a person reading the observation would, shared by both browser
/// backends so a scripted step resolves to the same element in either.
public enum NameLookup {
    /// Among `nodes` with `role` (any role when nil), those whose name equals `name`, then those
    /// whose name contains it case-insensitively. Without a role, elements come before bare text,
    /// which usually repeats a link's or button's name.
    public static func matches<Node>(in nodes: [Node], role: String?, name: String,
                                     roleOf: (Node) -> String, nameOf: (Node) -> String) -> [Node] {
        let candidates = role.map { role in nodes.filter { roleOf($0) == role } } ?? nodes
        let wanted = name.collapsingWhitespace()
        let lowered = wanted.lowercased()
        let exact = candidates.filter { nameOf($0) == wanted }
        let contains = candidates.filter { nameOf($0) != wanted && nameOf($0).lowercased().contains(lowered) }
        func ordered(_ list: [Node]) -> [Node] {
            role == nil ? list.filter { roleOf($0) != "StaticText" } + list.filter { roleOf($0) == "StaticText" } : list
        }
        return ordered(exact) + ordered(contains)
    }
}
