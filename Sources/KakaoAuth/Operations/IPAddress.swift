#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address in one canonical form, so that every comparison, rate-limit key and audit line
/// sees the same client however the socket spelled it.
///
/// A dual-stack socket (`HOST=::`) reports IPv4 peers as IPv4-mapped IPv6 (`::ffff:203.0.113.5`); those are
/// IPv4 here, so `TRUSTED_PROXIES=10.0.0.0/8` matches them and the audit log records `203.0.113.5`.
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    let bytes: [UInt8]

    init?(_ text: some StringProtocol) {
        let text = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        bytes = Self.isIPv4Mapped(all) ? Array(all[12...]) : all
    }

    var isIPv4: Bool { bytes.count == 4 }

    /// `::ffff:a.b.c.d` (RFC 4291 2.5.5.2).
    private static func isIPv4Mapped(_ bytes: [UInt8]) -> Bool {
        bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
    }

    /// The standard text form (`inet_ntop`): dotted quad for IPv4, RFC 5952 for IPv6.
    var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { source in inet_ntop(family, source.baseAddress, &buffer, socklen_t(buffer.count)) }
        precondition(written != nil, "inet_ntop refused an address it can always write")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the first `prefixLength` bits equal `network`'s (addresses of different families never do).
    func hasPrefix(_ network: IPAddress, length prefixLength: Int) -> Bool {
        guard bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (candidate, base) in zip(bytes, network.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            guard candidate & mask == base & mask else { return false }
            remaining -= bits
        }
        return true
    }
}
