import Hummingbird
import KakaoAuthTokens

extension CookieHeader {
    /// The request's cookies, read byte-wise as the duplicate guard and every reader of ours read them.
    init(_ request: Request) {
        self.init(request.headers[values: .cookie])
    }
}
