import XCTest
@testable import MediaCredentials

final class MediaKeyTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = try Scratch.folder("key")
    }

    override func tearDown() {
        Scratch.remove(folder)
    }

    func testGeneratedKeyIsPKCS8PEMThatOpenSSLChecks() throws {
        let key = Fixture.key
        XCTAssertEqual(key.bits, 2048)
        XCTAssertTrue(key.pemEncoded.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), key.pemEncoded)
        let path = folder + "/media.key"
        try Scratch.write(Array(key.pemEncoded.utf8), to: path)
        let check = try Tool.check("openssl", ["rsa", "-in", path, "-check", "-noout"])
        XCTAssertTrue(check.contains("RSA key ok"), check)
        try Tool.check("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", path, "-outform", "DER", "-out", folder + "/key.der"])
        XCTAssertEqual(try Scratch.read(folder + "/key.der"), key.pkcs8DER)
        // Read back: the same key.
        let again = try MediaKey(pem: key.pemEncoded, source: "media.key")
        XCTAssertEqual(again.pkcs8DER, key.pkcs8DER)
    }

    func testOpenSSLKeysPKCS8AndPKCS1() throws {
        try Tool.check("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", folder + "/p8.pem"])
        try Tool.check("openssl", ["rsa", "-in", folder + "/p8.pem", "-traditional", "-out", folder + "/p1.pem"])
        try Tool.check("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", folder + "/p8.pem", "-outform", "DER", "-out", folder + "/p8.der"])
        let expected = try Scratch.read(folder + "/p8.der")
        for name in ["p8.pem", "p1.pem"] {
            let pem = String(decoding: try Scratch.read(folder + "/" + name), as: UTF8.self)
            let key = try MediaKey(pem: pem, source: name)
            XCTAssertEqual(key.bits, 3072, name)
            XCTAssertEqual(key.pkcs8DER, expected, name)
        }
        XCTAssertTrue(String(decoding: try Scratch.read(folder + "/p1.pem"), as: UTF8.self).hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
    }

    func testRefusedKeysSayWhy() throws {
        try Tool.check("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", folder + "/small.pem"])
        try Tool.check("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", folder + "/ec.pem"])
        try Tool.check("openssl", ["pkcs8", "-topk8", "-in", folder + "/small.pem", "-passout", "pass:secret-pass",
                                   "-out", folder + "/encrypted.pem"])
        let cases: [(String, String)] = [
            ("small.pem", "small.pem: RSA key of 1024 bits: the media key needs at least 2048"),
            ("ec.pem", "ec.pem: the media key must be RSA, not ECDSA (1.2.840.10045.2.1)"),
            ("encrypted.pem", "encrypted.pem: the key is encrypted"),
        ]
        for (name, message) in cases {
            let pem = String(decoding: try Scratch.read(folder + "/" + name), as: UTF8.self)
            XCTAssertThrowsError(try MediaKey(pem: pem, source: name)) { error in
                XCTAssertTrue("\(error)".hasPrefix(message), "\(error)")
            }
        }
        XCTAssertThrowsError(try MediaKey(pem: "not a key", source: "garbage.pem")) { error in
            XCTAssertTrue("\(error)".hasPrefix("garbage.pem: not a PEM private key"), "\(error)")
        }
        let certificatePEM = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
        XCTAssertThrowsError(try MediaKey(pem: certificatePEM, source: "cert.pem")) { error in
            XCTAssertTrue("\(error)".contains("\"CERTIFICATE\" block is not a private key"), "\(error)")
        }
        let brokenPEM = "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n"
        XCTAssertThrowsError(try MediaKey(pem: brokenPEM, source: "broken.pem")) { error in
            XCTAssertEqual("\(error)", "broken.pem: malformed PKCS#8 private key")
        }
        XCTAssertThrowsError(try MediaKey.generate(bits: 1024))
    }
}

final class CertificateSummaryTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = try Scratch.folder("summary")
    }

    override func tearDown() {
        Scratch.remove(folder)
    }

    func testSelfSignedSummary() throws {
        let certificate = try Fixture.certificate()
        let summary = try CertificateSummary(der: certificate, source: "media certificate")
        XCTAssertEqual(summary.subject, "CN=\(Fixture.commonName)")
        XCTAssertEqual(summary.issuer, "CN=\(Fixture.commonName)")
        XCTAssertEqual(summary.notBefore, Fixture.notBefore)
        XCTAssertEqual(summary.notAfter, Fixture.notAfter)
        XCTAssertEqual(summary.keyDescription, "RSA 2048")
        XCTAssertTrue(summary.hasClientAuthentication)
        XCTAssertTrue(summary.hasExtendedKeyUsageExtension)
        XCTAssertEqual(summary.serialNumberHex.count, 32)
        XCTAssertTrue(summary.matches(privateKeyPKCS8: Fixture.key.pkcs8DER))
        XCTAssertFalse(summary.matches(privateKeyPKCS8: try MediaKey.generate().pkcs8DER))
        XCTAssertFalse(summary.matches(privateKeyPKCS8: [0x30, 0x00]))
        // The serial number as OpenSSL reads it.
        let path = folder + "/cert.der"
        try Scratch.write(certificate, to: path)
        let serial = try Tool.check("openssl", ["x509", "-inform", "DER", "-in", path, "-noout", "-serial"])
        XCTAssertEqual(serial.trimmingCharacters(in: .whitespacesAndNewlines), "serial=\(summary.serialNumberHex)")
    }

    func testOpenSSLCertificates() throws {
        // No EKU at all: client authentication allowed (RFC 5280), flagged as such.
        try Tool.check("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/k1.pem",
                                   "-out", folder + "/plain.pem", "-outform", "PEM", "-subj", "/O=Contoso/CN=plain", "-days", "30"])
        // Server authentication only: no client authentication.
        try Tool.check("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                   "-keyout", folder + "/k2.pem", "-out", folder + "/server.pem", "-subj", "/CN=server",
                                   "-days", "30", "-addext", "extendedKeyUsage=serverAuth"])
        for name in ["plain", "server"] {
            try Tool.check("openssl", ["x509", "-in", folder + "/\(name).pem", "-outform", "DER", "-out", folder + "/\(name).der"])
        }
        let plain = try CertificateSummary(der: try Scratch.read(folder + "/plain.der"), source: "plain.der")
        XCTAssertEqual(plain.subject, "CN=plain,O=Contoso")
        XCTAssertEqual(plain.keyDescription, "RSA 2048")
        XCTAssertTrue(plain.hasClientAuthentication)
        XCTAssertFalse(plain.hasExtendedKeyUsageExtension)
        XCTAssertEqual(plain.notAfter - plain.notBefore, 30 * 86_400)
        let server = try CertificateSummary(der: try Scratch.read(folder + "/server.der"), source: "server.der")
        XCTAssertEqual(server.keyDescription, "ECDSA P-256")
        XCTAssertFalse(server.hasClientAuthentication)
        XCTAssertTrue(server.hasExtendedKeyUsageExtension)
        try Tool.check("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", folder + "/k2.pem", "-outform", "DER", "-out", folder + "/k2.der"])
        XCTAssertTrue(server.matches(privateKeyPKCS8: try Scratch.read(folder + "/k2.der")))
    }

    func testGarbageIsNotACertificate() {
        XCTAssertThrowsError(try CertificateSummary(der: [0x30, 0x03, 0x02, 0x01, 0x00], source: "x.der")) { error in
            XCTAssertEqual("\(error)", "x.der: not a DER X.509 certificate")
        }
    }

    func testSelfSignedRefusesBadInput() {
        XCTAssertThrowsError(try SelfSignedCertificate.make(key: Fixture.key, commonName: "", notBefore: 0, notAfter: 1, seed: []))
        XCTAssertThrowsError(try SelfSignedCertificate.make(key: Fixture.key, commonName: "x", notBefore: 5, notAfter: 5, seed: []))
    }

    /// After 2049 X.509 switches from UTCTime to GeneralizedTime; both come back as given.
    func testDatesAcross2050() throws {
        let after: Int64 = 2_556_143_999  // 2050-12-31T23:59:59Z
        let certificate = try SelfSignedCertificate.make(key: Fixture.key, commonName: "x", notBefore: Fixture.notBefore,
                                                         notAfter: after, seed: [])
        let summary = try CertificateSummary(der: certificate, source: "x")
        XCTAssertEqual(summary.notAfter, after)
        let path = folder + "/c.der"
        try Scratch.write(certificate, to: path)
        let dates = try Tool.check("openssl", ["x509", "-inform", "DER", "-in", path, "-noout", "-enddate"])
        XCTAssertTrue(dates.contains("notAfter=Dec 31 23:59:59 2050 GMT"), dates)
    }
}
