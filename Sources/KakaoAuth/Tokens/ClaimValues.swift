/// A token payload's members as verification needs them: each claim we issue, nil when absent, and whether
/// every member was a known claim of the right JSON type.
struct ClaimValues {
    var issuer, audience, subject, tokenID, sessionID: String?
    var issuedAt, expiresAt, notBefore: Int64?
    var hasNotBefore = false
    /// False when a member is not one of our claims, or a claim has the wrong JSON type.
    var wellTyped = true

    private enum Claim: Equatable {
        case text(WritableKeyPath<ClaimValues, String?>)
        case time(WritableKeyPath<ClaimValues, Int64?>)

        init?(name: some Collection<UInt8>) {
            switch String(decoding: name, as: UTF8.self) {
            case "iss": self = .text(\.issuer)
            case "aud": self = .text(\.audience)
            case "sub": self = .text(\.subject)
            case "jti": self = .text(\.tokenID)
            case "sid": self = .text(\.sessionID)
            case "iat": self = .time(\.issuedAt)
            case "exp": self = .time(\.expiresAt)
            case "nbf": self = .time(\.notBefore)
            default: return nil
            }
        }
    }

    private mutating func note(_ name: some Collection<UInt8>) -> Claim? {
        guard let claim = Claim(name: name) else {
            wellTyped = false
            return nil
        }
        if claim == .time(\.notBefore) { hasNotBefore = true }
        return claim
    }

    /// From a payload the strict JSON reader parsed.
    init(json: JSONValue) {
        guard case .object(let members) = json else {
            wellTyped = false
            return
        }
        for (name, value) in members {
            switch note(Array(name.utf8)) {
            case .text(let path)?:
                self[keyPath: path] = value.stringValue
                if value.stringValue == nil { wellTyped = false }
            case .time(let path)?:
                self[keyPath: path] = value.integerValue
                if value.integerValue == nil { wellTyped = false }
            case nil:
                break
            }
        }
    }

    private init() {}

    /// The fast path for the payloads we write: one flat object of ASCII strings without escapes and plain
    /// integers, read without building a dictionary. Anything else (escapes, nesting, other numbers,
    /// duplicates, malformed JSON) returns nil, and the caller hands the payload to the strict reader, so
    /// both paths accept and refuse exactly the same documents.
    static func parseFlat(_ bytes: UnsafeBufferPointer<UInt8>) -> ClaimValues? {
        var values = ClaimValues()
        var seen: [Claim] = []
        seen.reserveCapacity(8)
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }
        func expect(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        /// A string of printable ASCII without escapes, after its opening quote.
        func plainString() -> UnsafeBufferPointer<UInt8>? {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        guard expect(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return nil }
        while true {
            guard expect(UInt8(ascii: "\"")), let name = plainString(), expect(UInt8(ascii: ":")) else { return nil }
            let claim = values.note(name)
            // A repeated claim is for the strict reader to refuse (unknown members are refused anyway).
            if let claim {
                guard !seen.contains(claim) else { return nil }
                seen.append(claim)
            }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                guard let text = plainString() else { return nil }
                switch claim {
                case .text(let path)?: values[keyPath: path] = String(decoding: text, as: UTF8.self)
                case .time?: values.wellTyped = false
                case nil: break
                }
            } else {
                let start = index
                if bytes[index] == UInt8(ascii: "-") { index += 1 }
                let digitsStart = index
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
                let digits = index - digitsStart
                guard digits > 0, digits <= 18, !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else { return nil }
                if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
                switch claim {
                case .time(let path)?: values[keyPath: path] = Int64(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                case .text?: values.wellTyped = false
                case nil: break
                }
            }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            skipWhitespace()
            return index == bytes.count ? values : nil
        }
    }
}
