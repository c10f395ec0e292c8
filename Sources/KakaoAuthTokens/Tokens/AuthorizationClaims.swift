/// The limits of what an access token says about what its user may do: `roles` and `app_metadata`. The
/// service checks them where operators set the values, and every verifier (the service's own, the kit's)
/// where a token carries them, so a token can say nothing the admin API would have refused.
package enum AuthorizationClaims {
    package static let maximumRoles = 16
    /// The compact form's bytes (``JSONValue/compactText``): what the store keeps and a token embeds.
    package static let maximumMetadataBytes = 1024
    /// Each level of nesting costs two bytes of the compact form, so nothing deeper fits.
    package static let maximumMetadataDepth = maximumMetadataBytes / 2

    /// Wholly `[a-z][a-z0-9_.:-]{0,31}`: ASCII, so no newline and at most 32 bytes.
    package static func isRoleName(_ name: some Collection<UInt8>) -> Bool {
        guard (1...32).contains(name.count), let first = name.first, (0x61...0x7A).contains(first) else { return false }
        return name.dropFirst().allSatisfy { $0.isLowercaseNameCharacter || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
    }

    /// Sorted, each once, each a role name, at most 16: the roles of a token as the service writes them.
    package static func areRoles(_ names: [String]) -> Bool {
        names.count <= maximumRoles && names.allSatisfy { isRoleName($0.utf8) }
            && zip(names, names.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

extension UInt8 {
    /// `[a-z0-9_-]`: the bytes of the names operators choose, admin keys' and (with `.` and `:`) roles'.
    package var isLowercaseNameCharacter: Bool {
        (0x61...0x7A).contains(self) || (0x30...0x39).contains(self) || self == UInt8(ascii: "_") || self == UInt8(ascii: "-")
    }
}
