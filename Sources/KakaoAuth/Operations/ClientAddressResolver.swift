import HTTPTypes
import Hummingbird

/// Who is calling: the peer's IP address, or, when the peer is a trusted proxy, the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy. Untrusted peers cannot pick their own address.
///
/// Every address comes out in ``IPAddress``'s canonical form, whichever way the socket or a proxy wrote it.
struct ClientAddressResolver: Sendable {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    let trustedProxies: [IPAddressRange]

    func clientAddress(of request: Request, context: AppRequestContext) -> IPAddress? {
        let peer = context.remoteAddress?.ipAddress.flatMap(IPAddress.init)
        guard let peer, isTrusted(peer) else { return peer }
        let hops = request.headers[values: Self.forwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // Walk back from the nearest hop: each trusted proxy vouches for the hop before it, and the first
        // hop no proxy of ours added is the client. A hop that is not an address ends the walk at the peer.
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { return peer }
            if !isTrusted(address) { return address }
        }
        return hops.first.flatMap(IPAddress.init) ?? peer
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
