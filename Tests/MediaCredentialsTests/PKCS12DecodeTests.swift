import XCTest
@testable import MediaCredentials

/// `PKCS12.decode` on files OpenSSL makes at test time: OpenSSL 3's default
/// (PBES2/AES-256, SHA-256 MAC), the legacy form (3DES key, RC2-40
/// certificates, SHA-1 MAC, as Windows and OpenSSL 1.x export), and variants;
/// wrong passwords, unsupported algorithms, garbage and truncations.
final class PKCS12DecodeTests: XCTestCase {
    var folder = ""
    let password = "Pa55 wörd"
    var certificateDER: [UInt8] = []
    var keyDER: [UInt8] = []

    override func setUpWithError() throws {
        folder = try Scratch.folder("decode")
        try Tool.check("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/key.pem",
                                   "-out", folder + "/cert.pem", "-subj", "/CN=openssl test", "-days", "30"])
        try Tool.check("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/ca-key.pem",
                                   "-out", folder + "/ca.pem", "-subj", "/CN=openssl test CA", "-days", "30"])
        try Tool.check("openssl", ["x509", "-in", folder + "/cert.pem", "-outform", "DER", "-out", folder + "/cert.der"])
        try Tool.check("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", folder + "/key.pem", "-outform", "DER", "-out", folder + "/key.der"])
        certificateDER = try Scratch.read(folder + "/cert.der")
        keyDER = try Scratch.read(folder + "/key.der")
    }

    override func tearDown() {
        Scratch.remove(folder)
    }

    /// `openssl pkcs12 -export` with extra options; returns the file's bytes.
    private func export(_ options: [String], name: String) throws -> [UInt8] {
        let path = folder + "/\(name).p12"
        try Tool.check("openssl", ["pkcs12", "-export", "-inkey", folder + "/key.pem", "-in", folder + "/cert.pem",
                                   "-passout", "pass:\(password)", "-out", path] + options)
        return try Scratch.read(path)
    }

    private func assertDecodes(_ pfx: [UInt8], certificates expected: Int = 1,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let contents = try PKCS12.decode(pfx, password: password, source: "test.p12")
        XCTAssertEqual(contents.certificates.count, expected, file: file, line: line)
        XCTAssertEqual(contents.certificates.first, certificateDER, file: file, line: line)
        XCTAssertEqual(contents.privateKeyPKCS8, keyDER, file: file, line: line)
    }

    func testOpenSSL3Default() throws {
        let pfx = try export([], name: "default")
        let info = try Tool.check("openssl", ["pkcs12", "-in", folder + "/default.p12", "-info", "-noout",
                                              "-passin", "pass:\(password)"])
        XCTAssertTrue(info.contains("AES-256-CBC"), info)
        try assertDecodes(pfx)
    }

    func testLegacyTripleDESAndRC2() throws {
        let pfx = try export(["-legacy"], name: "legacy")
        let info = try Tool.check("openssl", ["pkcs12", "-legacy", "-in", folder + "/legacy.p12", "-info", "-noout",
                                              "-passin", "pass:\(password)"])
        XCTAssertTrue(info.contains("MAC: sha1"), info)
        XCTAssertTrue(info.contains("pbeWithSHA1And40BitRC2-CBC"), info)
        XCTAssertTrue(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), info)
        try assertDecodes(pfx)
    }

    func testLegacyRC2With128BitKeyAndTripleDESCertificates() throws {
        try assertDecodes(try export(["-legacy", "-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-RC2-128"], name: "rc2-128"))
    }

    func testPBES2VariantsAndAChain() throws {
        try assertDecodes(try export(["-keypbe", "AES-128-CBC", "-certpbe", "AES-192-CBC", "-macalg", "sha1",
                                      "-certfile", folder + "/ca.pem"], name: "aes128"), certificates: 2)
        try assertDecodes(try export(["-keypbe", "DES-EDE3-CBC", "-certpbe", "NONE", "-macalg", "sha512", "-iter", "1"],
                                     name: "des3-plain"))
        try assertDecodes(try export(["-nomac"], name: "nomac"))
    }

    func testPythonCryptographyExportsAreRead() throws {
        let script = """
            import sys
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.serialization import pkcs12
            from cryptography import x509
            key = serialization.load_pem_private_key(open(sys.argv[1], 'rb').read(), None)
            cert = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())
            ca = x509.load_pem_x509_certificate(open(sys.argv[3], 'rb').read())
            # a chain of two: decode puts the key's certificate first
            data = pkcs12.serialize_key_and_certificates(b'name', key, cert, [ca],
                serialization.BestAvailableEncryption(sys.argv[4].encode()))
            open(sys.argv[5], 'wb').write(data)
            """
        let path = folder + "/python.p12"
        try Tool.check("python3", ["-c", script, folder + "/key.pem", folder + "/cert.pem", folder + "/ca.pem",
                                   password, path])
        try assertDecodes(try Scratch.read(path), certificates: 2)
    }

    func testWrongPasswordFailsCleanly() throws {
        for (options, name) in [([String](), "default"), (["-legacy"], "legacy")] {
            let pfx = try export(options, name: name)
            XCTAssertThrowsError(try PKCS12.decode(pfx, password: "not the password", source: "media.pfx")) { error in
                XCTAssertEqual("\(error)", "media.pfx: wrong password or damaged file (MAC mismatch)")
            }
        }
    }

    func testUnsupportedAlgorithmIsNamed() throws {
        let pfx = try export(["-legacy", "-keypbe", "PBE-SHA1-RC4-128"], name: "rc4")
        XCTAssertThrowsError(try PKCS12.decode(pfx, password: password, source: "rc4.p12")) { error in
            XCTAssertTrue("\(error)".hasPrefix("rc4.p12: unsupported"), "\(error)")
            XCTAssertTrue("\(error)".contains("pbeWithSHAAnd128BitRC4 (1.2.840.113549.1.12.1.1)"), "\(error)")
        }
    }

    func testGarbageAndTruncationsThrowNeverCrash() throws {
        let pfx = try export([], name: "default")
        var generator = SplitMix(seed: 42)
        for length in [0, 1, 2, 16, 100, 5000] {
            let garbage = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            XCTAssertThrowsError(try PKCS12.decode(garbage, password: password, source: "garbage.p12"))
        }
        for length in 0..<pfx.count {
            XCTAssertThrowsError(try PKCS12.decode(Array(pfx.prefix(length)), password: password, source: "cut.p12"))
        }
        // Byte flips: each either throws a CredentialError or decodes (a flip in an unchecked field); never traps.
        for position in stride(from: 0, to: pfx.count, by: 5) {
            var damaged = pfx
            damaged[position] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
            do {
                _ = try PKCS12.decode(damaged, password: password, source: "flip.p12")
            } catch {
                XCTAssertFalse("\(error)".contains(password))
            }
        }
    }

    func testBagsAreCheckedEvenWithoutAMAC() throws {
        // Without a MAC the password is first tested by the bag decryption.
        let pfx = try export(["-nomac"], name: "nomac")
        XCTAssertThrowsError(try PKCS12.decode(pfx, password: "wrong", source: "nomac.p12")) { error in
            XCTAssertTrue("\(error)".hasPrefix("nomac.p12: cannot decrypt"), "\(error)")
        }
    }
}

/// A small deterministic generator for garbage inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
