import KakaoAuthTokens

/// The keys that may call the admin API (`ADMIN_API_KEYS`): each a name and the SHA-256 of the key as
/// callers send it, so that the configuration (an environment, a secret store, a process listing) never
/// holds a usable key. A key is 32 random bytes, so its hash needs no salt or stretching: there is nothing
/// to guess from it.
package struct AdminKeys: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var digest: [UInt8]
    }

    let entries: [Entry]

    /// The longest key worth hashing: ours are 43 characters; anything past this names nobody.
    static let maximumKeyLength = 256

    /// `NAME:SHA256HEX` entries separated by commas; names `[a-z0-9_-]{1,32}` but `cli`, each name and each key once.
    /// The error says what is wrong without echoing the text (it may be a key pasted by mistake).
    init(parsing text: String) throws(AdminKeysError) {
        var entries: [Entry] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.trimmingASCIISpaces.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw .malformedEntry(position: entries.count + 1) }
            let name = String(parts[0])
            guard Self.isValidName(name) else { throw .invalidName(position: entries.count + 1) }
            guard let digest = Self.lowercaseHexDigest(parts[1]) else { throw .invalidDigest(name: name) }
            guard !entries.contains(where: { $0.name == name }) else { throw .repeatedName(name) }
            guard !entries.contains(where: { $0.digest == digest }) else { throw .repeatedKey(name: name) }
            entries.append(Entry(name: name, digest: digest))
        }
        self.entries = entries
    }

    /// The name of the entry whose key `presented` is, or nil. Every entry is compared, each in constant
    /// time, whichever matches, so the answer's timing says nothing about the keys.
    func name(ofKey presented: String) -> String? {
        guard presented.utf8.count <= Self.maximumKeyLength else { return nil }
        let digest = OpenSSL.sha256(presented)
        var match: String?
        for entry in entries {
            let equal = digest.withUnsafeBytes { left in entry.digest.withUnsafeBytes { right in OpenSSL.constantTimeEqual(left, right) } }
            if equal { match = entry.name }
        }
        return match
    }

    /// A new key (32 random bytes, base64url) and the `ADMIN_API_KEYS` entry that admits it as `name`.
    package static func generate(name: String) -> (key: String, entry: String) {
        let key = Base64URL.encode(OpenSSL.randomBytes(count: 32))
        return (key, "\(name):\(hex(OpenSSL.sha256(key)))")
    }

    /// `cli` is the command line's own name in the audit log (``AccountActor/commandLine``), so no key may take it.
    package static func isValidName(_ name: String) -> Bool {
        name != "cli" && (1...32).contains(name.utf8.count) && name.utf8.allSatisfy(\.isLowercaseNameCharacter)
    }

    private static func lowercaseHexDigest(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var digest: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = digits[index].lowercaseHexValue, let low = digits[index + 1].lowercaseHexValue else { return nil }
            digest.append(high << 4 | low)
        }
        return digest
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}

/// What is wrong with `ADMIN_API_KEYS`, said without its text.
enum AdminKeysError: Error, Equatable, CustomStringConvertible {
    case malformedEntry(position: Int)
    case invalidName(position: Int)
    case invalidDigest(name: String)
    case repeatedName(String)
    case repeatedKey(name: String)

    var description: String {
        switch self {
        case .malformedEntry(let position): "entry \(position) is not NAME:SHA256HEX (`kakao-auth admin-key generate NAME` makes one)"
        case .invalidName(let position): "entry \(position): a name is 1 to 32 of a-z 0-9 _ -, and not cli"
        case .invalidDigest(let name): "\(name): the hash must be 64 lowercase hex digits (the SHA-256 of the key)"
        case .repeatedName(let name): "\(name) is listed twice"
        case .repeatedKey(let name): "\(name) has the same key as an earlier entry"
        }
    }
}

extension UInt8 {
    fileprivate var lowercaseHexValue: UInt8? {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x61...0x66: self - 0x61 + 10
        default: nil
        }
    }
}

extension Substring {
    fileprivate var trimmingASCIISpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
