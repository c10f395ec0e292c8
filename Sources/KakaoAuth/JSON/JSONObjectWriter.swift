import KakaoAuthTokens

/// Writes one JSON object member by member, in the order given. Answers are built with it rather than
/// with `JSONEncoder`, which was a tenth of every authenticated request's time (measured with
/// `bench/run.py`).
struct JSONObjectWriter {
    private var text = "{"

    /// The object so far, closed.
    var json: String { text + "}" }

    /// The object that `write` writes.
    static func object(_ write: (inout JSONObjectWriter) -> Void) -> String {
        var object = JSONObjectWriter()
        write(&object)
        return object.json
    }

    /// A string member, `null` when nil.
    mutating func add(_ name: StaticString, _ value: String?) {
        member(name, value?.jsonQuoted ?? "null")
    }

    mutating func add(_ name: StaticString, _ value: Int64) {
        member(name, String(value))
    }

    mutating func add(_ name: StaticString, _ value: Bool) {
        member(name, value ? "true" : "false")
    }

    /// A member whose value is an object written by `write`.
    mutating func add(_ name: StaticString, object write: (inout JSONObjectWriter) -> Void) {
        var nested = JSONObjectWriter()
        write(&nested)
        member(name, nested.json)
    }

    /// A member whose value is an array of objects, each written by `write`.
    mutating func add<Element>(_ name: StaticString, array elements: some Sequence<Element>, _ write: (Element, inout JSONObjectWriter) -> Void) {
        var items: [String] = []
        for element in elements {
            var item = JSONObjectWriter()
            write(element, &item)
            items.append(item.json)
        }
        member(name, "[" + items.joined(separator: ",") + "]")
    }

    /// A member whose value is an array of strings.
    mutating func add(_ name: StaticString, strings: [String]) {
        member(name, "[" + strings.map(\.jsonQuoted).joined(separator: ",") + "]")
    }

    /// A member whose value is JSON text already checked as such (an ``AppMetadata``'s compact form).
    mutating func add(_ name: StaticString, json: String) {
        member(name, json)
    }

    /// `name` is a constant of ours and needs no escaping.
    private mutating func member(_ name: StaticString, _ value: String) {
        if text.utf8.count > 1 { text += "," }
        text += "\"\(name)\":\(value)"
    }
}
