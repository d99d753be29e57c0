import XCTest
@testable import MediaCredentials

/// The PKCS#12 KDF (RFC 7292 appendix B.2) against known answers: Stephen
/// Henson's published test vectors (also in Bouncy Castle's PKCS12Test) and
/// values computed with OpenSSL 3's own PKCS12KDF
/// (`openssl kdf -keylen N -kdfopt digest:… -kdfopt hexpass:<BMPString> -kdfopt hexsalt:… -kdfopt iter:… -kdfopt id:… PKCS12KDF`).
final class PKCS12KDFTests: XCTestCase {
    func testBMPPassword() {
        XCTAssertEqual(PKCS12KDF.bmpPassword("smeg"), [0, 0x73, 0, 0x6D, 0, 0x65, 0, 0x67, 0, 0])
        XCTAssertEqual(PKCS12KDF.bmpPassword(""), [0, 0])
        XCTAssertEqual(PKCS12KDF.bmpPassword("é€"), [0x00, 0xE9, 0x20, 0xAC, 0, 0])
    }

    func testHensonVectorsSHA1() {
        let smeg = PKCS12KDF.bmpPassword("smeg")
        XCTAssertEqual(hex(PKCS12KDF.derive(digest: .sha1, purpose: .key, password: smeg, salt: bytes(hex: "0A58CF64530D823F"),
                                            iterations: 1, count: 24)),
                       "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3")
        XCTAssertEqual(hex(PKCS12KDF.derive(digest: .sha1, purpose: .iv, password: smeg, salt: bytes(hex: "0A58CF64530D823F"),
                                            iterations: 1, count: 8)),
                       "79993dfe048d3b76")
        XCTAssertEqual(hex(PKCS12KDF.derive(digest: .sha1, purpose: .key, password: PKCS12KDF.bmpPassword("queeg"),
                                            salt: bytes(hex: "1682C0FC5B3F7EC5"), iterations: 1000, count: 24)),
                       "483dd6e919d7de2e8e648ba8f862f3fbfbdc2bcb2c02957f")
    }

    func testMACKeySHA256AsOpenSSL() {
        XCTAssertEqual(hex(PKCS12KDF.derive(digest: .sha256, purpose: .mac,
                                            password: PKCS12KDF.bmpPassword("{09821541-3BE2-421C-AA13-D1E0AD"),
                                            salt: bytes(hex: "0102030405060708"), iterations: 2048, count: 32)),
                       "e8803cd658648eb7319ccf45fc1e033d5755507167419d6a4475bfba315f3784")
    }

    /// More than one output block, a password longer than a hash block, a salt that is not a
    /// multiple of 64 bytes: exercises the I_j + B + 1 update with carries.
    func testLongOutputAsOpenSSL() {
        let output = PKCS12KDF.derive(
            digest: .sha256, purpose: .key,
            password: PKCS12KDF.bmpPassword("a longer password that spans more than one sixty-four byte block"),
            salt: bytes(hex: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677"),
            iterations: 3, count: 100)
        XCTAssertEqual(hex(output), """
            b43018356f8b7a1419188221 1fd307a61319f56e89fc8216 8b71a15697d02e68cd795f76 fb17914c8e8adfce0269a628 \
            f71504f93ee6eded380415a0 04ab9a4856d7368cf4798ac3 cf0bea41890d63ecfdc2eaa9 0571c58c9b1a0fa400ae1a20 f35b8a8f
            """.replacingOccurrences(of: " ", with: ""))
    }
}
