import Hummingbird

/// A request's query string, read strictly like a JSON body (``JSONFields``): a malformed escape, a repeated
/// or unknown parameter is a 400, not a silent guess. An empty value counts as absent, so that a form's
/// blank field (`?q=&status=active`) means "any".
struct QueryParameters {
    private let fields: [String: String]

    init(_ request: Request, allowing names: Set<String>) throws(APIError) {
        guard let fields = URLEncodedForm.decode(request.uri.query ?? "") else {
            throw APIError(.invalidRequest, "the query is malformed (a bad % escape, or not UTF-8) or repeats a parameter")
        }
        if let unknown = fields.keys.sorted().first(where: { !names.contains($0) }) {
            throw APIError(.invalidRequest, "unknown query parameter \"\(ClientText.capped(unknown, bytes: 64))\"")
        }
        self.fields = fields.filter { !$0.value.isEmpty }
    }

    /// At most `maximumLength` UTF-8 bytes, without control characters, or nil when absent.
    func text(_ name: String, maximumLength: Int) throws(APIError) -> String? {
        guard let text = fields[name] else { return nil }
        guard text.utf8.count <= maximumLength else { throw APIError(.invalidRequest, "\(name) is longer than \(maximumLength) bytes") }
        guard ClientText.capped(text, bytes: maximumLength) == text else {
            throw APIError(.invalidRequest, "\(name) must not contain control characters")
        }
        return text
    }

    /// Decimal digits only (no sign, no spaces), within `range`, or nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = fields[name] else { return nil }
        guard text.utf8.count <= 19, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(text), range.contains(value) else {
            throw APIError(.invalidRequest, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// One of `Choice`'s raw values, or nil when absent.
    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, _: Choice.Type) throws(APIError) -> Choice? where Choice.RawValue == String {
        guard let text = fields[name] else { return nil }
        guard let value = Choice(rawValue: text) else {
            throw APIError(.invalidRequest, "\(name) must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
