import Foundation

/// `application/x-www-form-urlencoded`, both ways: Kakao's token endpoint takes it, and the emulator and
/// webhooks receive it.
enum URLEncodedForm {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Escapes everything but RFC 3986's unreserved characters.
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { name, value in
            "\(escape(name))=\(escape(value))"
        }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// The fields of a form or query string; nil when it is malformed or repeats a name (two readers must
    /// never disagree on which value counts).
    static func decode(_ text: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]), let value = unescape(parts.count > 1 ? parts[1] : ""),
                  fields.updateValue(value, forKey: name) == nil
            else { return nil }
        }
        return fields
    }

    private static func unescape(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
