import Foundation
import HTTPTypes
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address or CIDR block (`10.0.0.0/8`, `::1`), for `TRUSTED_PROXIES`.
struct IPAddressRange: Equatable, Sendable {
    private let network: [UInt8]
    private let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = Self.bytes(of: String(parts[0])) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : address.count * 8
        guard let length, (0...(address.count * 8)).contains(length) else { return nil }
        network = address
        prefixLength = length
    }

    func contains(_ text: String) -> Bool {
        guard let address = Self.bytes(of: text), address.count == network.count else { return false }
        var remaining = prefixLength
        for (candidate, base) in zip(address, network) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            guard candidate & mask == base & mask else { return false }
            remaining -= bits
        }
        return true
    }

    /// 4 bytes for IPv4, 16 for IPv6, nil for anything else.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

/// Who is calling: the peer's IP address, or, when the peer is a trusted proxy, the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy. Untrusted peers cannot pick their own address.
struct ClientAddressResolver: Sendable {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    let trustedProxies: [IPAddressRange]

    func clientAddress(of request: Request, peer: String?) -> String? {
        guard let peer, isTrusted(peer) else { return peer }
        let hops = request.headers[values: Self.forwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // Walk back from the nearest hop: each trusted proxy vouches for the hop before it, and the first
        // hop no proxy of ours added is the client.
        for hop in hops.reversed() where !isTrusted(hop) {
            return IPAddressRange.bytes(of: hop) != nil ? hop : peer
        }
        return hops.first ?? peer
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
