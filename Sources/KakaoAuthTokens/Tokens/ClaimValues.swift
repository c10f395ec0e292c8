/// A token payload's members as verification needs them: each claim we issue, nil when absent, and whether
/// every member was a known claim of the right JSON type.
package struct ClaimValues: Equatable {
    package var issuer, audience, subject, tokenID, sessionID: String?
    package var issuedAt, expiresAt, notBefore: Int64?
    package var hasNotBefore = false
    /// `roles` as written (an array of strings), and `app_metadata` as compact text (an object); their limits
    /// are the codec's to check.
    package var roles: [String]?
    package var appMetadata: String?
    /// False when a member is not one of our claims, or a claim has the wrong JSON type.
    package var wellTyped = true

    /// Our claims, by their names: compared as bytes, since every token verified reads them.
    private enum Claim: UInt8 {
        case iss, aud, sub, jti, sid, iat, exp, nbf, roles, appMetadata

        init?(name: some Collection<UInt8>) {
            switch name.count {
            case 3:
                var iterator = name.makeIterator()
                let packed = UInt32(iterator.next()!) << 16 | UInt32(iterator.next()!) << 8 | UInt32(iterator.next()!)
                switch packed {
                case Self.pack("iss"): self = .iss
                case Self.pack("aud"): self = .aud
                case Self.pack("sub"): self = .sub
                case Self.pack("jti"): self = .jti
                case Self.pack("sid"): self = .sid
                case Self.pack("iat"): self = .iat
                case Self.pack("exp"): self = .exp
                case Self.pack("nbf"): self = .nbf
                default: return nil
                }
            case 5 where name.elementsEqual("roles".utf8): self = .roles
            case 12 where name.elementsEqual("app_metadata".utf8): self = .appMetadata
            default: return nil
            }
        }

        private static func pack(_ name: StaticString) -> UInt32 {
            name.withUTF8Buffer { UInt32($0[0]) << 16 | UInt32($0[1]) << 8 | UInt32($0[2]) }
        }

        var isTime: Bool { self == .iat || self == .exp || self == .nbf }
        var isText: Bool { self == .iss || self == .aud || self == .sub || self == .jti || self == .sid }
    }

    private mutating func note(_ name: some Collection<UInt8>) -> Claim? {
        guard let claim = Claim(name: name) else {
            wellTyped = false
            return nil
        }
        if claim == .nbf { hasNotBefore = true }
        return claim
    }

    private mutating func set(_ claim: Claim, text: String?) {
        guard claim.isText, let text else {
            wellTyped = false
            return
        }
        switch claim {
        case .iss: issuer = text
        case .aud: audience = text
        case .sub: subject = text
        case .jti: tokenID = text
        case .sid: sessionID = text
        case .iat, .exp, .nbf, .roles, .appMetadata: break
        }
    }

    private mutating func set(_ claim: Claim, time: Int64?) {
        guard claim.isTime, let time else {
            wellTyped = false
            return
        }
        switch claim {
        case .iat: issuedAt = time
        case .exp: expiresAt = time
        case .nbf: notBefore = time
        case .iss, .aud, .sub, .jti, .sid, .roles, .appMetadata: break
        }
    }

    /// `roles` or `app_metadata` from the strict reader's value.
    private mutating func set(_ claim: Claim, value: JSONValue) {
        switch (claim, value) {
        case (.roles, .array(let elements)):
            let names = elements.compactMap(\.stringValue)
            if names.count == elements.count { roles = names } else { wellTyped = false }
        case (.appMetadata, .object): appMetadata = value.compactText
        default: wellTyped = false
        }
    }

    /// From a payload the strict JSON reader parsed.
    package init(json: JSONValue) {
        guard case .object(let members) = json else {
            wellTyped = false
            return
        }
        for (name, value) in members {
            guard let claim = note(name.utf8) else { continue }
            if claim.isTime {
                set(claim, time: value.integerValue)
            } else if claim.isText {
                set(claim, text: value.stringValue)
            } else {
                set(claim, value: value)
            }
        }
    }

    private init() {}

    /// The fast path for the payloads we write: one object of ASCII strings without escapes, plain integers,
    /// `roles` as an array of such strings, and `app_metadata` as its last member (kept as it is when
    /// compact, ``CompactJSONObject``; else handed to the strict reader by itself), read without building a dictionary of the rest. Anything else (escapes, other
    /// nesting, other numbers, duplicates, malformed JSON) returns nil, and the caller hands the payload to
    /// the strict reader, so both paths accept and refuse exactly the same documents.
    package static func parseFlat(_ bytes: UnsafeBufferPointer<UInt8>) -> ClaimValues? {
        var values = ClaimValues()
        var seen: UInt16 = 0
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
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
                guard seen & 1 << claim.rawValue == 0 else { return nil }
                seen |= 1 << claim.rawValue
            }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if claim == .appMetadata {
                // Only as the last member: the rest of the payload up to its closing brace. As we write it,
                // compact, it is kept as it is; otherwise the strict reader reads it and it is written compact.
                guard bytes[bytes.count - 1] == UInt8(ascii: "}"), index < bytes.count - 1 else { return nil }
                let metadata = UnsafeBufferPointer(rebasing: bytes[index..<(bytes.count - 1)])
                if CompactJSONObject.recognises(metadata, maximumDepth: AuthorizationClaims.maximumMetadataDepth) {
                    values.appMetadata = String(decoding: metadata, as: UTF8.self)
                } else {
                    guard let value = try? StrictJSONReader.parse(metadata, maximumDepth: AuthorizationClaims.maximumMetadataDepth) else {
                        return nil
                    }
                    values.set(.appMetadata, value: value)
                }
                return values
            }
            if claim == .roles {
                guard bytes[index] == UInt8(ascii: "[") else { return nil }
                index += 1
                var names: [String] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                } else {
                    while true {
                        guard expect(UInt8(ascii: "\"")), let name = plainString() else { return nil }
                        names.append(String(decoding: name, as: UTF8.self))
                        skipWhitespace()
                        guard index < bytes.count else { return nil }
                        index += 1
                        if bytes[index - 1] == UInt8(ascii: "]") { break }
                        guard bytes[index - 1] == UInt8(ascii: ",") else { return nil }
                    }
                }
                values.roles = names
            } else if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                guard let text = plainString() else { return nil }
                if let claim { values.set(claim, text: String(decoding: text, as: UTF8.self)) }
            } else {
                let negative = bytes[index] == UInt8(ascii: "-")
                if negative { index += 1 }
                let digitsStart = index
                var magnitude: Int64 = 0
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    magnitude = magnitude &* 10 &+ Int64(bytes[index] - UInt8(ascii: "0"))  // Wraps only past 18 digits, refused below.
                    index += 1
                }
                let digits = index - digitsStart
                // At most 18 digits: the value always fits, and longer numbers go to the strict reader.
                guard digits > 0, digits <= 18, !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else { return nil }
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                    return nil
                }
                if let claim { values.set(claim, time: negative ? -magnitude : magnitude) }
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
