/// What the tree builder and the name computation ask of a role, as bits looked up once per
/// element (kept in `DocumentFacts`) instead of a set lookup per question.
struct RoleTraits: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    /// Takes typed text: `required` and `value` apply.
    static let textEntry = RoleTraits(rawValue: 1 << 0)
    /// Has a `checked` state.
    static let checkable = RoleTraits(rawValue: 1 << 1)
    /// Has a numeric value and range.
    static let range = RoleTraits(rawValue: 1 << 2)
    /// AccName "name from content" and not name-prohibited.
    static let nameFromContent = RoleTraits(rawValue: 1 << 3)
    /// Takes `aria-selected`.
    static let selectable = RoleTraits(rawValue: 1 << 4)
    /// A field whose typed value shows as a text child.
    static let showsValueText = RoleTraits(rawValue: 1 << 5)

    static let textEntryRoles: Set<String> = ["textbox", "searchbox", "combobox", "spinbutton", "listbox"]
    static let checkableRoles: Set<String> = ["checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio"]
    static let rangeRoles: Set<String> = ["slider", "spinbutton", "progressbar", "meter", "scrollbar"]
    static let selectableRoles: Set<String> = ["option", "tab", "gridcell", "row", "treeitem"]
    static let valueTextRoles: Set<String> = ["textbox", "searchbox", "combobox", "spinbutton"]

    private static let byRole: [String: RoleTraits] = {
        var table: [String: RoleTraits] = [:]
        let roles = textEntryRoles.union(checkableRoles).union(rangeRoles).union(selectableRoles)
            .union(valueTextRoles).union(RoleMapping.nameFromContentRoles)
        for role in roles {
            var traits: RoleTraits = []
            if textEntryRoles.contains(role) { traits.insert(.textEntry) }
            if checkableRoles.contains(role) { traits.insert(.checkable) }
            if rangeRoles.contains(role) { traits.insert(.range) }
            if selectableRoles.contains(role) { traits.insert(.selectable) }
            if valueTextRoles.contains(role) { traits.insert(.showsValueText) }
            if RoleMapping.nameFromContentRoles.contains(role) && !RoleMapping.nameProhibitedRoles.contains(role) {
                traits.insert(.nameFromContent)
            }
            table[role] = traits
        }
        return table
    }()

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(role: String) { self = Self.byRole[role] ?? [] }
}
