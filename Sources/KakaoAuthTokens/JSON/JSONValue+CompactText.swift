extension JSONValue {
    /// The value as compact JSON: no whitespace, object members in the byte order of their keys (a
    /// dictionary keeps none of its own), numbers as they were written. One value has one text, so its length
    /// is a rule that can be checked and a token carries the same bytes the store keeps.
    package var compactText: String {
        var text = ""
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .object(let members):
            text += "{"
            for (index, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if index > 0 { text += "," }
                text += member.key.jsonQuoted + ":"
                member.value.write(to: &text)
            }
            text += "}"
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                element.write(to: &text)
            }
            text += "]"
        case .string(let value): text += value.jsonQuoted
        case .number(let source): text += source
        case .bool(let value): text += value ? "true" : "false"
        case .null: text += "null"
        }
    }
}
