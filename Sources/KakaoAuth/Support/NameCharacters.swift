extension UInt8 {
    /// `[a-z0-9_-]`: the bytes of the names operators choose, admin keys' and (with `.` and `:`) roles'.
    var isLowercaseNameCharacter: Bool {
        (0x61...0x7A).contains(self) || (0x30...0x39).contains(self) || self == UInt8(ascii: "_") || self == UInt8(ascii: "-")
    }
}
