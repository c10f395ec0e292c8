extension AccountClaims {
    /// The `roles` and `app_metadata` columns, as ``Roles/storedText`` and ``AppMetadata/compactText`` wrote
    /// them. Anything else is the store's damage: refused, rather than signed into a token.
    init(stored roles: String, _ appMetadata: String) throws {
        guard let roles = Roles(stored: roles), let appMetadata = AppMetadata(stored: appMetadata) else {
            throw StoreError.unexpectedAnswer("a user's roles or app_metadata are not as the service writes them")
        }
        self.init(roles: roles, appMetadata: appMetadata)
    }
}

extension AccountClaimChange {
    /// The column the change replaces, and its new text.
    var column: (name: String, text: String) {
        switch self {
        case .roles(let roles): ("roles", roles.storedText)
        case .appMetadata(let metadata): ("app_metadata", metadata.compactText)
        }
    }
}
