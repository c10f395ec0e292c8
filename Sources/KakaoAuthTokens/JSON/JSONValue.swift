/// A JSON document read by ``StrictJSONReader``. Numbers keep their source text so that 64-bit integers
/// (Kakao ids exceed 2^53) are never squeezed through a `Double`.
package enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    package var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    package var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The value of a number written as a plain integer (no fraction, no exponent) that fits in 64 bits.
    package var integerValue: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    /// The JSON type's name, for error messages.
    package var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}
