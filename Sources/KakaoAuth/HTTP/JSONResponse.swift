import Hummingbird

extension Response {
    /// A JSON answer: the object that `write` writes.
    static func json(status: HTTPResponse.Status = .ok, _ write: (inout JSONObjectWriter) -> Void) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONObjectWriter.object(write))))
    }
}
