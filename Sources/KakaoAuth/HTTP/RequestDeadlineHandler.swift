import NIOCore
import NIOHTTPTypes

/// Bounds every request on a connection in time and in size, below the router, whatever route it meets.
///
/// SwiftNIO's idle timer starts again at every byte, and the server drains a body that no handler reads (a
/// 404, a 405, `/healthz`): a client trickling one byte every 2 s held a connection forever, and 400 of them
/// held 400 (review finding 20.3). Here a request has `timeout` from the end of the previous answer (or the
/// connection's start) to its head, and `timeout` again from its head to its last body byte, however the
/// bytes are spread (a parser error answered without a head counts as no answer); and a body is never read beyond ``bodyLimit``, which no route takes (they stop at
/// ``RequestBody/maximumSize`` and answer 413). Either way the connection is closed.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Four times the largest body a route reads: room for the rest of a body sent with its 413 answer on the
    /// way, not for a drain of megabytes.
    static let bodyLimit = 4 * RequestBody.maximumSize

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// A head has been read and its end has not.
    private var isReadingRequest = false
    private var bodyBytes = 0
    /// Requests read whose answer has not been written to its end.
    private var unansweredRequests = 0

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startDeadline(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startDeadline(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unansweredRequests += 1
            isReadingRequest = true
            bodyBytes = 0
            startDeadline(context)
        case .body(let bytes):
            bodyBytes += bytes.readableBytes
            guard bodyBytes <= Self.bodyLimit else {
                deadline?.cancel()
                context.close(promise: nil)
                return
            }
        case .end:
            isReadingRequest = false
            deadline?.cancel()
            // Answered before its body had all arrived (a 404 while the body was drained): the connection
            // now waits for the next request.
            if unansweredRequests == 0 { startDeadline(context) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unansweredRequests = max(0, unansweredRequests - 1)
            if unansweredRequests == 0 && !isReadingRequest { startDeadline(context) }
        }
        context.write(data, promise: promise)
    }

    private func startDeadline(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
