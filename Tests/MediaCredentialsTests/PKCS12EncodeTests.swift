import XCTest
@testable import MediaCredentials

/// What `PKCS12.encode` and `SelfSignedCertificate.make` write, read back by
/// OpenSSL and by Python's `cryptography`, not only by our own decoder.
final class PKCS12EncodeTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = try Scratch.folder("encode")
    }

    override func tearDown() {
        Scratch.remove(folder)
    }

    private func encodedFixture(seed: [UInt8] = Fixture.seed) throws -> (certificate: [UInt8], pfx: [UInt8]) {
        let certificate = try Fixture.certificate()
        let pfx = try PKCS12.encode(certificates: [certificate], privateKeyPKCS8: Fixture.key.pkcs8DER,
                                    password: Fixture.password, seed: seed)
        return (certificate, pfx)
    }

    func testOpenSSLOpensItWithTheGUIDPassword() throws {
        let (certificate, pfx) = try encodedFixture()
        let path = folder + "/media.pfx"
        try Scratch.write(pfx, to: path)
        // -noout checks the MAC; -info names the algorithms.
        let info = try Tool.check("openssl", ["pkcs12", "-in", path, "-info", "-noout", "-passin", "pass:\(Fixture.password)"])
        XCTAssertTrue(info.contains("MAC: sha256, Iteration 2048"), info)
        XCTAssertTrue(info.contains("MAC length: 32, salt length: 8"), info)
        XCTAssertTrue(info.contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"), info)
        XCTAssertTrue(info.contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"), info)

        // The key and certificate come out as we put them in.
        let pem = try Tool.check("openssl", ["pkcs12", "-in", path, "-nodes", "-passin", "pass:\(Fixture.password)",
                                             "-out", folder + "/out.pem"])
        _ = pem
        let keyOut = try Tool.check("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", folder + "/out.pem", "-outform", "DER", "-out", folder + "/key.der"])
        _ = keyOut
        XCTAssertEqual(try Scratch.read(folder + "/key.der"), Fixture.key.pkcs8DER)
        try Tool.check("openssl", ["x509", "-in", folder + "/out.pem", "-outform", "DER", "-out", folder + "/cert.der"])
        XCTAssertEqual(try Scratch.read(folder + "/cert.der"), certificate)
        // localKeyID on the bags = SHA-1 of the certificate, as OpenSSL writes it.
        let bags = try Tool.check("openssl", ["pkcs12", "-in", path, "-nodes", "-passin", "pass:\(Fixture.password)"])
        let sha1 = try Tool.check("openssl", ["dgst", "-sha1", "-r", folder + "/cert.der"]).prefix(40).uppercased()
        let keyIDLine = stride(from: 0, to: 40, by: 2).map { i -> String in
            let start = sha1.index(sha1.startIndex, offsetBy: i)
            return String(sha1[start...sha1.index(after: start)])
        }.joined(separator: " ")
        XCTAssertEqual(bags.components(separatedBy: "localKeyID: \(keyIDLine)").count - 1, 2, bags)
    }

    func testOpenSSLRejectsAWrongPassword() throws {
        let (_, pfx) = try encodedFixture()
        let path = folder + "/media.pfx"
        try Scratch.write(pfx, to: path)
        let result = try Tool.run("openssl", ["pkcs12", "-in", path, "-info", "-noout", "-passin", "pass:wrong"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.error.contains("Mac verify error"), result.error)
    }

    func testOpenSSLShowsTheCertificate() throws {
        let certificate = try Fixture.certificate()
        let path = folder + "/cert.der"
        try Scratch.write(certificate, to: path)
        let text = try Tool.check("openssl", ["x509", "-inform", "DER", "-in", path, "-noout", "-text"])
        XCTAssertTrue(text.contains("Version: 3 (0x2)"), text)
        XCTAssertTrue(text.contains("Signature Algorithm: sha256WithRSAEncryption"), text)
        XCTAssertTrue(text.contains("Not Before: Jan  1 00:00:00 2026 GMT"), text)
        XCTAssertTrue(text.contains("Not After : Jan  1 00:00:00 2027 GMT"), text)
        XCTAssertTrue(text.contains("Subject: CN = \(Fixture.commonName)"), text)
        XCTAssertTrue(text.contains("Issuer: CN = \(Fixture.commonName)"), text)
        XCTAssertTrue(text.contains("Public-Key: (2048 bit)"), text)
        XCTAssertTrue(text.contains("X509v3 Extended Key Usage: \n                TLS Web Client Authentication"), text)
        XCTAssertTrue(text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"), text)
        XCTAssertTrue(text.contains("X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment"), text)
        XCTAssertTrue(text.contains("X509v3 Subject Key Identifier"), text)
        // The self-signature verifies, and the subject key identifier is RFC 5280's method 1,
        // the same as OpenSSL computes for this public key.
        try Tool.check("openssl", ["verify", "-CAfile", try pemFile(certificate), "-partial_chain", "-purpose", "sslclient",
                                   try pemFile(certificate)])
        let ski = try Tool.check("openssl", ["x509", "-inform", "DER", "-in", path, "-noout", "-ext", "subjectKeyIdentifier"])
        try Tool.check("openssl", ["x509", "-inform", "DER", "-in", path, "-noout", "-pubkey", "-out", folder + "/pub.pem"])
        try Tool.check("openssl", ["rsa", "-pubin", "-in", folder + "/pub.pem", "-RSAPublicKey_out", "-outform", "DER",
                                   "-out", folder + "/pub.der"])
        let keyHash = try Tool.check("openssl", ["dgst", "-sha1", "-r", folder + "/pub.der"]).prefix(40).uppercased()
        XCTAssertTrue(ski.replacingOccurrences(of: ":", with: "").contains(keyHash), "\(ski) vs \(keyHash)")
    }

    private func pemFile(_ der: [UInt8]) throws -> String {
        let derPath = folder + "/\(UUID().uuidString).der", pemPath = derPath + ".pem"
        try Scratch.write(der, to: derPath)
        try Tool.check("openssl", ["x509", "-inform", "DER", "-in", derPath, "-out", pemPath])
        return pemPath
    }

    func testPythonCryptographyLoadsIt() throws {
        let (certificate, pfx) = try encodedFixture()
        let path = folder + "/media.pfx"
        try Scratch.write(pfx, to: path)
        let script = """
            import sys
            from cryptography.hazmat.primitives.serialization import pkcs12, Encoding, PrivateFormat, NoEncryption
            data = open(sys.argv[1], 'rb').read()
            key, cert, extra = pkcs12.load_key_and_certificates(data, sys.argv[2].encode())
            print(cert.public_bytes(Encoding.DER).hex())
            print(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()).hex())
            print(len(extra))
            print(cert.not_valid_before_utc.isoformat(), cert.not_valid_after_utc.isoformat())
            """
        let output = try Tool.check("python3", ["-c", script, path, Fixture.password])
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, output)
        guard lines.count == 4 else { return }
        XCTAssertEqual(lines[0], hex(certificate))
        XCTAssertEqual(lines[1], hex(Fixture.key.pkcs8DER))
        XCTAssertEqual(lines[2], "0")
        XCTAssertEqual(lines[3], "2026-01-01T00:00:00+00:00 2027-01-01T00:00:00+00:00")
        // And with a wrong password, cryptography refuses it.
        let wrong = try Tool.run("python3", ["-c", script, path, "wrong"])
        XCTAssertNotEqual(wrong.status, 0)
    }

    func testAChainAndAFriendlyName() throws {
        let certificate = try Fixture.certificate()
        let other = try SelfSignedCertificate.make(key: try MediaKey.generate(), commonName: "other CA",
                                                   notBefore: Fixture.notBefore, notAfter: Fixture.notAfter, seed: [1])
        let pfx = try PKCS12.encode(certificates: [other, certificate], privateKeyPKCS8: Fixture.key.pkcs8DER,
                                    password: Fixture.password, seed: Fixture.seed, friendlyName: "mediafs media")
        let path = folder + "/chain.pfx"
        try Scratch.write(pfx, to: path)
        let bags = try Tool.check("openssl", ["pkcs12", "-in", path, "-nodes", "-passin", "pass:\(Fixture.password)"])
        XCTAssertEqual(bags.components(separatedBy: "friendlyName: mediafs media").count - 1, 2, bags)
        XCTAssertEqual(bags.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1, 2, bags)
        let contents = try PKCS12.decode(pfx, password: Fixture.password, source: "chain.pfx")
        XCTAssertEqual(contents.certificates, [certificate, other])
    }

    func testSameInputsSameBytes() throws {
        let first = try encodedFixture()
        let second = try encodedFixture()
        XCTAssertEqual(first.certificate, second.certificate)
        XCTAssertEqual(first.pfx, second.pfx)
        // Another seed changes the salts and IVs (and so every encrypted byte), not the certificate.
        let reseeded = try encodedFixture(seed: Array("another media".utf8))
        XCTAssertNotEqual(reseeded.pfx, first.pfx)
        let otherCertificate = try SelfSignedCertificate.make(key: Fixture.key, commonName: Fixture.commonName,
                                                              notBefore: Fixture.notBefore, notAfter: Fixture.notAfter,
                                                              seed: [9])
        XCTAssertNotEqual(otherCertificate, first.certificate)
    }

    func testRoundTripThroughOurDecoder() throws {
        let (certificate, pfx) = try encodedFixture()
        let contents = try PKCS12.decode(pfx, password: Fixture.password, source: "media.pfx")
        XCTAssertEqual(contents.certificates, [certificate])
        XCTAssertEqual(contents.privateKeyPKCS8, Fixture.key.pkcs8DER)
    }

    func testEncodeRefusesAKeyWithoutItsCertificate() throws {
        let other = try SelfSignedCertificate.make(key: try MediaKey.generate(), commonName: "other",
                                                   notBefore: Fixture.notBefore, notAfter: Fixture.notAfter, seed: [2])
        XCTAssertThrowsError(try PKCS12.encode(certificates: [other], privateKeyPKCS8: Fixture.key.pkcs8DER,
                                               password: "x", seed: [])) { error in
            XCTAssertTrue("\(error)".contains("no certificate matches the private key"), "\(error)")
        }
    }
}
