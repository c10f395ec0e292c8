import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core plus the peer's address, which rate limiting and the audit
/// log need, and on the admin port the operator whose key authenticated the request.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set by ``AdminAuthentication`` before any admin route runs.
    var admin: AccountActor?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        admin = nil
    }
}
