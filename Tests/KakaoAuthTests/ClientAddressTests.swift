import Testing

@testable import KakaoAuth

/// Addresses in one canonical form, and `TRUSTED_PROXIES` blocks matching them.
@Suite struct ClientAddressTests {
    /// A literal the test knows to be an address (the canonical-form tests check parsing itself).
    func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test(arguments: [
        ("203.0.113.5", "203.0.113.5"), ("::ffff:203.0.113.5", "203.0.113.5"), ("::FFFF:cb00:7105", "203.0.113.5"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("::1", "::1"), ("::", "::"), ("::ffff:0:1", "0.0.0.1"),
    ])
    func addressesHaveOneCanonicalForm(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(text)).description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "::g", "203.0.113.5%eth0", " 1.2.3.4", "1.2.3.4/8"])
    func otherTextIsNoAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func addressRangesMatchCIDRBlocks() throws {
        let v4 = try #require(IPAddressRange("10.1.0.0/16"))
        #expect(v4.contains(ip("10.1.255.3")) && !v4.contains(ip("10.2.0.1")))
        #expect(!v4.contains(ip("::1")))
        let v6 = try #require(IPAddressRange("2001:db8::/32"))
        #expect(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")))
        #expect(IPAddressRange("192.168.1.7")?.contains(ip("192.168.1.7")) == true)
        #expect(IPAddressRange("192.168.1.7")?.contains(ip("192.168.1.8")) == false)
        #expect(IPAddressRange("10.0.0.0/33") == nil && IPAddressRange("not-an-ip") == nil && IPAddressRange("::/129") == nil)
    }

    @Test func ipv4BlocksMatchIPv4MappedPeersWhicheverWayTheyAreWritten() throws {
        let mappedPeer = ip("::ffff:10.0.0.7")
        #expect(try #require(IPAddressRange("10.0.0.0/8")).contains(mappedPeer))
        #expect(try #require(IPAddressRange("::ffff:10.0.0.0/104")).contains(mappedPeer))
        #expect(try #require(IPAddressRange("::ffff:10.0.0.7")).contains(ip("10.0.0.7")))
        #expect(!(try #require(IPAddressRange("::ffff:10.0.0.0/104")).contains(ip("11.0.0.1"))))
        #expect(IPAddressRange("::ffff:10.0.0.0/95") == nil, "a mapped block shorter than /96 would span non-IPv4 space")
    }
}
