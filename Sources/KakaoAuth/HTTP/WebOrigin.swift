import Foundation

/// A web origin as browsers serialise it in the `Origin` header: `scheme://host[:port]`, lower-case, without
/// the scheme's default port. Comparing these strings exactly is how allowlists are checked, so that
/// look-alike suffixes and prefixes (`https://app.example.evil`, `https://evil-app.example`) never match.
package enum WebOrigin {
    /// The origin of an absolute http(s) URL, or nil when `text` is not one. Only printable ASCII: a host
    /// of other characters would be lower-cased by Unicode rules (KELVIN SIGN becomes `k`) into an origin
    /// that the browser never sent; browsers send international hosts in their `xn--` form.
    package static func of(_ text: String) -> String? {
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host?.lowercased(), !host.isEmpty,
            components.user == nil, components.password == nil
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }

    /// `text` when it is exactly an origin (no path, query or fragment), normalised.
    package static func parse(_ text: String) -> String? {
        guard let origin = of(text), let components = URLComponents(string: text),
            components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil
        else { return nil }
        return origin
    }
}
