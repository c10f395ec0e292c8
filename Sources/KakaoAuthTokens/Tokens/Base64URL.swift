/// Base64url without padding (RFC 7515 §2), decoded strictly: only the URL-safe alphabet, no `=`, no
/// whitespace, and the unused low bits of the last character must be zero, so that each byte string has
/// exactly one accepted encoding.
///
/// The buffer-to-buffer functions do the work without allocating: signing and verifying tokens use them
/// (see `kakao-auth-token-bench`); the others wrap them for everyone else.
package enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    package static func encodedCount(of byteCount: Int) -> Int {
        (byteCount * 4 + 2) / 3
    }

    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        return String(unsafeUninitializedCapacity: encodedCount(of: input.count)) { output in
            input.withUnsafeBufferPointer { encode($0, into: output) }
        }
    }

    /// Writes the encoding of `input` at the start of `output`, which holds at least
    /// `encodedCount(of: input.count)` bytes, and returns its length.
    @discardableResult
    package static func encode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let count = encodedCount(of: input.count)
        precondition(output.count >= count)
        alphabet.withUnsafeBufferPointer { alphabet in
            var index = 0
            var written = 0
            while index + 3 <= input.count {
                let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                output[written] = alphabet[Int(group >> 18)]
                output[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                output[written + 2] = alphabet[Int(group >> 6 & 0x3F)]
                output[written + 3] = alphabet[Int(group & 0x3F)]
                index += 3
                written += 4
            }
            let remaining = input.count - index
            guard remaining > 0 else { return }
            let group = UInt32(input[index]) << 16 | (remaining == 2 ? UInt32(input[index + 1]) << 8 : 0)
            output[written] = alphabet[Int(group >> 18)]
            output[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
            if remaining == 2 { output[written + 2] = alphabet[Int(group >> 6 & 0x3F)] }
        }
        return count
    }

    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: Array(text.utf8))
    }

    package static func decode(bytes: some Collection<UInt8>) -> [UInt8]? {
        let input = Array(bytes)
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: input.count * 3 / 4) { output, count in
            guard let decoded = input.withUnsafeBufferPointer({ decode($0, into: output) }) else {
                valid = false
                count = 0
                return
            }
            count = decoded
        }
        return valid ? output : nil
    }

    /// Decodes `input` to the start of `output`, which holds at least `input.count * 3 / 4` bytes; returns
    /// the decoded length, or nil when `input` is not strict base64url.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let remaining = input.count % 4
        guard remaining != 1 else { return nil }
        precondition(output.count >= input.count * 3 / 4)
        return decodingTable.withUnsafeBufferPointer { table -> Int? in
            var invalid: UInt32 = 0
            var index = 0
            var written = 0
            while index + 4 <= input.count {
                let a = UInt32(table[Int(input[index])])
                let b = UInt32(table[Int(input[index + 1])])
                let c = UInt32(table[Int(input[index + 2])])
                let d = UInt32(table[Int(input[index + 3])])
                // 0xFF marks a character outside the alphabet: any of them sets a bit above the low six.
                invalid |= (a | b | c | d) & 0xC0
                let group = a << 18 | b << 12 | c << 6 | d
                output[written] = UInt8(truncatingIfNeeded: group >> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: group)
                index += 4
                written += 3
            }
            if remaining > 0 {
                let a = UInt32(table[Int(input[index])])
                let b = UInt32(table[Int(input[index + 1])])
                let c = remaining == 3 ? UInt32(table[Int(input[index + 2])]) : 0
                invalid |= (a | b | c) & 0xC0
                let group = a << 18 | b << 12 | c << 6
                output[written] = UInt8(truncatingIfNeeded: group >> 16)
                written += 1
                if remaining == 3 {
                    output[written] = UInt8(truncatingIfNeeded: group >> 8)
                    written += 1
                }
                // The unused low bits of the last character must be zero: one encoding per byte string.
                invalid |= remaining == 2 ? group & 0xFFFF : group & 0xFF
            }
            return invalid == 0 ? written : nil
        }
    }
}
