/// Whether `text` is a DNS host name, by its bytes: labels of 1 to 63 ASCII letters, digits and inner hyphens,
/// 253 bytes in all. Read from configuration (`COOKIE_DOMAIN`, `HOST`) and from the client (the Host header
/// that becomes a clearing cookie's `Domain`, where a `;` would add attributes of its own).
enum HostName {
    static func isValid(_ text: String) -> Bool {
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let isLetterOrDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        return text.utf8.count <= 253
            && labels.allSatisfy { label in
                (1...63).contains(label.count) && isLetterOrDigit(label.first!) && isLetterOrDigit(label.last!)
                    && label.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
            }
    }
}
