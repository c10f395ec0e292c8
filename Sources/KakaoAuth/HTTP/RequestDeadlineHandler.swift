import NIOCore
import NIOHTTPTypes

/// Bounds every request on a connection in time and in size, below the router, whatever route it meets.
///
/// SwiftNIO's idle timer starts again at every byte, and the server drains a body that no handler reads (a
/// 404, a 405, `/healthz`): a client trickling one byte every 2 s held a connection forever, and 400 of them
/// held 400 (review finding 20.3). Here, whenever it is the client's turn, it has `timeout` to take it: to
/// send the next request's head after the last answer (or the connection's start), and then its whole body,
/// however the bytes are spread. While the server is working on an earlier request (pipelining) no deadline
/// runs, since an unread body is the server's backpressure, not the client's slowness; the next one starts
/// when that answer is written. An answer the client does not read (the socket unwritable) is given `timeout`
/// too, so that a client reading nothing cannot hold the connection or a graceful shutdown. A body is never
/// read beyond ``bodyLimit``, which no route takes (they stop at ``RequestBody/maximumSize`` and answer 413).
/// Past any of these the connection is closed.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Four times the largest body a route reads: room for the rest of a body sent with its 413 answer on the
    /// way, not for a drain of megabytes.
    static let bodyLimit = 4 * RequestBody.maximumSize

    private let timeout: TimeAmount
    /// Runs while it is the client's turn.
    private var clientDeadline: Scheduled<Void>?
    /// Runs while the socket cannot take more of our answers.
    private var readerDeadline: Scheduled<Void>?
    /// A head has been read and its end has not.
    private var isReadingRequest = false
    private var bodyBytes = 0
    /// Requests whose head was read and whose answer has not been written to its end.
    private var unansweredRequests = 0

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { followTurn(context, restart: true) }
    }

    func channelActive(context: ChannelHandlerContext) {
        followTurn(context, restart: true)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        clientDeadline?.cancel()
        readerDeadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unansweredRequests += 1
            isReadingRequest = true
            bodyBytes = 0
            followTurn(context, restart: true)
        case .body(let bytes):
            bodyBytes += bytes.readableBytes
            guard bodyBytes <= Self.bodyLimit else {
                context.close(promise: nil)
                return
            }
        case .end:
            isReadingRequest = false
            followTurn(context, restart: true)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // A parser error is answered without a head read: never below zero.
            unansweredRequests = max(0, unansweredRequests - 1)
            followTurn(context, restart: false)
        }
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        readerDeadline?.cancel()
        readerDeadline = context.channel.isWritable ? nil : closing(context)
        context.fireChannelWritabilityChanged()
    }

    /// Whether the connection waits on the client: for a head when every request is answered, or for the
    /// rest of the one request that is being read when no earlier one is still being answered (it may have
    /// been answered already: a 404 while its body is still arriving).
    private var isClientsTurn: Bool {
        isReadingRequest ? unansweredRequests <= 1 : unansweredRequests == 0
    }

    /// Starts the client's deadline when it becomes the client's turn (again, with `restart`: a new head, a
    /// request's end), and stops it when it is the server's.
    private func followTurn(_ context: ChannelHandlerContext, restart: Bool) {
        guard isClientsTurn else {
            clientDeadline?.cancel()
            clientDeadline = nil
            return
        }
        guard restart || clientDeadline == nil else { return }
        clientDeadline?.cancel()
        clientDeadline = closing(context)
    }

    private func closing(_ context: ChannelHandlerContext) -> Scheduled<Void> {
        let channel = context.channel
        return context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
