/// An IPv4 or IPv6 address or CIDR block (`10.0.0.0/8`, `::1`), for `TRUSTED_PROXIES`.
///
/// An IPv4-mapped block (`::ffff:10.0.0.0/104`) is the IPv4 block it maps (`10.0.0.0/8`), so both spellings
/// match the same peers.
struct IPAddressRange: Equatable, Sendable {
    private let network: IPAddress
    private let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let network = IPAddress(first) else { return nil }
        let writtenAsIPv6 = first.contains(":")
        let bits = network.bytes.count * 8
        guard let written = parts.count == 2 ? Int(parts[1]) : (writtenAsIPv6 ? 128 : bits) else { return nil }
        // A mapped address written in IPv6 counts its prefix over 128 bits; its IPv4 part starts at bit 96.
        let length = network.isIPv4 && writtenAsIPv6 ? written - 96 : written
        guard (0...bits).contains(length) else { return nil }
        self.network = network
        prefixLength = length
    }

    func contains(_ address: IPAddress) -> Bool {
        address.hasPrefix(network, length: prefixLength)
    }
}
