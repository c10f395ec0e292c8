import KakaoAuthTokens

/// What a user may do, as operators set it and as access tokens carry it: a set of role names. Only an
/// admin sets them (the admin API, the command line) or `DEFAULT_ROLES` at registration.
struct Roles: Sendable, Equatable {
    /// Sorted, so a token, `/users/me` and the store always agree on one order.
    let names: [String]

    static let none = Roles(sorted: [])

    private init(sorted names: [String]) {
        self.names = names
    }

    /// The rules (``AuthorizationClaims``), checked in this order, each refusal naming its rule: at most 16;
    /// each wholly `[a-z][a-z0-9_.:-]{0,31}` (ASCII, so no newline and at most 32 bytes); each once.
    init(_ names: [String]) throws(AccountClaimsError) {
        guard names.count <= AuthorizationClaims.maximumRoles else { throw .tooManyRoles }
        for (index, name) in names.enumerated() where !AuthorizationClaims.isRoleName(name.utf8) { throw .invalidRoleName(position: index + 1) }
        let sorted = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard zip(sorted, sorted.dropFirst()).allSatisfy({ $0 != $1 }) else { throw .repeatedRole }
        self.names = sorted
    }

    /// As the store keeps them: comma-separated (no role name holds a comma), `""` for none.
    var storedText: String { names.joined(separator: ",") }

    /// The store's text, written by ``storedText``; anything else is the store's damage, not the user's.
    init?(stored text: String) {
        guard !text.isEmpty else {
            self = .none
            return
        }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard AuthorizationClaims.areRoles(names) else { return nil }
        self.init(sorted: names)
    }
}

/// An app's own facts about a user, as operators set them and as access tokens carry them: one JSON object
/// of at most 1,024 bytes in its compact form (``JSONValue/compactText``), nested as deeply as that allows.
struct AppMetadata: Sendable, Equatable {
    /// The compact text: what the store keeps and a token embeds.
    let compactText: String

    static let empty = AppMetadata(compactText: "{}")

    private init(compactText: String) {
        self.compactText = compactText
    }

    var isEmpty: Bool { compactText == "{}" }

    /// From a parsed value (a request body's, a command line argument's): an object that fits.
    init(_ value: JSONValue) throws(AccountClaimsError) {
        guard case .object = value else { throw .metadataNotAnObject }
        let text = value.compactText
        guard text.utf8.count <= AuthorizationClaims.maximumMetadataBytes else { throw .metadataTooLarge(bytes: text.utf8.count) }
        compactText = text
    }

    /// From JSON text. Depth is bounded only by the size: each level costs two bytes of the compact form, so
    /// nothing deeper than 512 can fit, and the reader stops there.
    init(json bytes: some Collection<UInt8>) throws(AccountClaimsError) {
        let value: JSONValue
        do {
            value = try StrictJSONReader.parse(bytes, maximumDepth: AuthorizationClaims.maximumMetadataDepth)
        } catch {
            throw .metadataNotJSON(error.description)
        }
        try self.init(value)
    }

    /// The store's text, written by this type; anything else is the store's damage, not the user's. Read on
    /// every `/users/me`, login and refresh, so recognised rather than parsed (``CompactJSONObject``).
    init?(stored text: String) {
        var text = text
        let recognised = text.withUTF8 { bytes in
            bytes.count <= AuthorizationClaims.maximumMetadataBytes
                && CompactJSONObject.recognises(bytes, maximumDepth: AuthorizationClaims.maximumMetadataDepth)
        }
        if recognised {
            self.init(compactText: text)
            return
        }
        // A string with an escape is not recognised: parsed, and written again to compare.
        guard let metadata = try? AppMetadata(json: text.utf8), metadata.compactText == text else { return nil }
        self = metadata
    }
}

/// Why roles or app metadata were refused; each names the rule it broke.
enum AccountClaimsError: Error, Equatable, CustomStringConvertible {
    case tooManyRoles
    case invalidRoleName(position: Int)
    case repeatedRole
    case metadataNotJSON(String)
    case metadataNotAnObject
    case metadataTooLarge(bytes: Int)

    var description: String {
        switch self {
        case .tooManyRoles: "at most \(AuthorizationClaims.maximumRoles) roles"
        case .invalidRoleName(let position): "role \(position) must wholly match [a-z][a-z0-9_.:-]{0,31}"
        case .repeatedRole: "each role at most once"
        case .metadataNotJSON(let reason): "app_metadata is not JSON: \(reason)"
        case .metadataNotAnObject: "app_metadata must be a JSON object"
        case .metadataTooLarge(let bytes): "app_metadata is \(bytes) bytes in its compact form; at most \(AuthorizationClaims.maximumMetadataBytes)"
        }
    }
}

/// What a user's access tokens say they may do, as stored now: every login and refresh reads it afresh.
struct AccountClaims: Sendable, Equatable {
    var roles: Roles
    var appMetadata: AppMetadata

    static let none = AccountClaims(roles: .none, appMetadata: .empty)
}

/// An operator's change to one of a user's claims: the whole value, replaced.
enum AccountClaimChange: Sendable, Equatable {
    case roles(Roles)
    case appMetadata(AppMetadata)

    var event: AuditEvent.Kind {
        switch self {
        case .roles: .rolesChanged
        case .appMetadata: .appMetadataChanged
        }
    }

    /// Who, and what: the roles by name; the metadata by its size only (it is the app's, and may be personal).
    func auditDetail(by actor: AccountActor) -> String {
        switch self {
        case .roles(let roles): "\(actor.auditName), roles=[\(roles.storedText)]"
        case .appMetadata(let metadata): "\(actor.auditName), \(metadata.compactText.utf8.count) bytes"
        }
    }
}
