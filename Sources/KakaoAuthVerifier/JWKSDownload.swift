import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One bounded GET of a key set: redirects are not followed (a 3xx is an answer, and not a key set), the body
/// is dropped as soon as it passes `maximumSize` (not after all of it has arrived), and the whole call has
/// `timeout` seconds, however slowly the bytes trickle in.
final class JWKSDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Refused: Error {}

    private let maximumSize: Int
    /// Guards `body` and `continuation`: the delegate's callbacks arrive on the session's queue.
    private let lock = NSLock()
    private var body = Data()
    private var continuation: CheckedContinuation<Data, any Error>?

    private init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    static func fetch(_ url: URL, maximumSize: Int, timeout: TimeInterval) async throws -> Data {
        let download = JWKSDownload(maximumSize: maximumSize)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        // A session per fetch (at most one a minute) so that its delegate is this download.
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: url)
        // The whole call's deadline is ours: URLSession's timeouts are idle timeouts (each byte resets them),
        // and Linux's Foundation does not apply `timeoutIntervalForResource`.
        let deadline = Task {
            try await Task.sleep(for: .seconds(timeout))
            download.finish(.failure(Refused()))
            task.cancel()
        }
        defer { deadline.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            download.lock.withLock { download.continuation = continuation }
            task.resume()
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let acceptable = (response as? HTTPURLResponse)?.statusCode == 200 && response.expectedContentLength <= Int64(maximumSize)
        if !acceptable { finish(.failure(Refused())) }
        completionHandler(acceptable ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooLarge = lock.withLock {
            body.append(data)
            return body.count > maximumSize
        }
        if tooLarge {
            finish(.failure(Refused()))
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        finish(error.map { .failure($0) } ?? .success(lock.withLock { body }))
    }

    /// Resumes the caller once, with the first outcome.
    private func finish(_ result: Result<Data, any Error>) {
        let waiting = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: result)
    }
}
