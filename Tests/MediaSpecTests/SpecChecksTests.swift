import Foundation
import MediaCredentials
@testable import MediaSpec
import XCTest

final class SpecChecksTests: XCTestCase {
    let now2026 = SpecValues.date("2026-06-01")!.seconds

    func testSecretsFromEnvironmentAndFile() throws {
        let folder = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "from a file\n".write(toFile: folder + "/media.txt", atomically: true, encoding: .utf8)
        // The self-signed certificate's key (certificate.self-signed.key: {file: media-key.pem}) is a secret too.
        try "key text\n".write(toFile: folder + "/media-key.pem", atomically: true, encoding: .utf8)
        let spec = try Fixture.parse(Fixture.bootable + "password: {file: media.txt}\n", folder: folder)
        XCTAssertEqual(try SpecChecks.resolveSecrets(spec, environment: [:]).password, "from a file")
        XCTAssertEqual(try SpecChecks.resolveSecrets(spec, environment: [:]).certificateKey, "key text")

        let env = try Fixture.parse(Fixture.bootable + "password: {env: MEDIA_PASSWORD}\n", folder: folder)
        XCTAssertEqual(try SpecChecks.resolveSecrets(env, environment: ["MEDIA_PASSWORD": "p@ss"]).password, "p@ss")
        XCTAssertThrowsError(try SpecChecks.resolveSecrets(env, environment: [:])) {
            XCTAssertEqual(String(describing: $0), "spec.yaml:18:17: password.env: the environment variable MEDIA_PASSWORD is not set")
        }
        XCTAssertThrowsError(try SpecChecks.resolveSecrets(env, environment: ["MEDIA_PASSWORD": ""])) {
            XCTAssertEqual(String(describing: $0), "spec.yaml:18:17: password.env: the environment variable MEDIA_PASSWORD is empty")
        }
        let missing = try Fixture.parse(Fixture.bootable + "password: {file: nope.txt}\n", folder: folder)
        XCTAssertThrowsError(try SpecChecks.resolveSecrets(missing, environment: [:])) {
            XCTAssertTrue(String(describing: $0).hasPrefix("spec.yaml:18:18: password.file: cannot read \(folder)/nope.txt: "), String(describing: $0))
        }
    }

    func testSelfSignedExpiry() throws {
        let spec = try Fixture.parse(Fixture.bootable)
        let facts = try SpecChecks.certificate(spec, now: now2026)
        XCTAssertEqual(facts, CertificateFacts(kind: .selfSigned, notBefore: 1_767_225_600, notAfter: 1_798_761_600, der: nil))

        let late = SpecValues.date("2026-12-15")!.seconds
        XCTAssertThrowsError(try SpecChecks.certificate(spec, now: late)) {
            XCTAssertEqual(String(describing: $0), "spec.yaml:16:14: certificate.self-signed.expires: the media certificate expires on 2027-01-01T00:00:00Z, within 30 days (now is 2026-12-15T00:00:00Z by this computer's clock); media made with it would soon stop working — choose a later expiry")
        }
        let after = SpecValues.date("2027-03-01")!.seconds
        XCTAssertThrowsError(try SpecChecks.certificate(spec, now: after)) {
            XCTAssertEqual(String(describing: $0), "spec.yaml:16:14: certificate.self-signed.expires: the media certificate expired on 2027-01-01T00:00:00Z (now is 2027-03-01T00:00:00Z by this computer's clock); media made with it cannot talk to the site")
        }
    }

    /// A PKI media certificate is a PFX: its certificate (matching its key) gives the dates.
    func testPKICertificatePFX() throws {
        let folder = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = try MediaKey.generate()
        let notBefore = SpecValues.date("2026-01-01")!.seconds, notAfter = SpecValues.date("2028-01-01")!.seconds
        let der = try SelfSignedCertificate.make(key: key, commonName: "pki-client", notBefore: notBefore, notAfter: notAfter, seed: [1, 2, 3])
        let pfx = try PKCS12.encode(certificates: [der], privateKeyPKCS8: key.pkcs8DER, password: "pfx-pass", seed: [4, 5, 6])
        try Data(pfx).write(to: URL(fileURLWithPath: folder + "/media.pfx"))
        try Data(der).write(to: URL(fileURLWithPath: folder + "/media.cer"))
        try (Fixture.pem).write(toFile: folder + "/media.pem", atomically: true, encoding: .utf8)
        try "not a certificate".write(toFile: folder + "/bad.pfx", atomically: true, encoding: .utf8)

        func spec(_ file: String) throws -> MediaSpec {
            try Fixture.parse(Fixture.bootable.replacingOccurrences(of: "http://mp1", with: "https://mp1")
                .replacingOccurrences(of: "  self-signed:\n    start: 2026-01-01\n    expires: 2027-01-01\n    key: {file: media-key.pem}",
                                      with: "  pki:\n    file: \(file)"), folder: folder)
        }
        let secrets = ResolvedSecrets(certificatePassword: "pfx-pass")
        let facts = try XCTUnwrap(try SpecChecks.certificate(spec("media.pfx"), secrets: secrets, now: now2026))
        XCTAssertEqual(facts.kind, .pki)
        XCTAssertEqual(facts.notBefore, notBefore)
        XCTAssertEqual(facts.notAfter, notAfter)
        XCTAssertEqual(facts.der, der)
        XCTAssertEqual(facts.certificates, [der])
        XCTAssertEqual(facts.privateKeyPKCS8, key.pkcs8DER)

        let nearEnd = SpecValues.date("2027-12-20")!.seconds
        XCTAssertThrowsError(try SpecChecks.certificate(spec("media.pfx"), secrets: secrets, now: nearEnd)) {
            XCTAssertEqual(String(describing: $0), "spec.yaml:15:11: certificate.pki.file: the media certificate expires on 2028-01-01T00:00:00Z, within 30 days (now is 2027-12-20T00:00:00Z by this computer's clock); media made with it would soon stop working — choose a later expiry")
        }
        XCTAssertThrowsError(try SpecChecks.certificate(spec("media.pfx"), secrets: ResolvedSecrets(certificatePassword: "wrong"), now: now2026)) {
            XCTAssertTrue(String(describing: $0).hasPrefix("spec.yaml:15:11: certificate.pki.file: \(folder)/media.pfx: "), String(describing: $0))
        }
        for file in ["media.cer", "media.pem"] {
            XCTAssertThrowsError(try SpecChecks.certificate(spec(file), secrets: secrets, now: now2026)) {
                XCTAssertEqual(String(describing: $0), "spec.yaml:15:11: certificate.pki.file: \(folder)/\(file) is a certificate without its private key; give the PFX (PKCS#12) that holds both, as Windows or `openssl pkcs12 -export` writes it")
            }
        }
        XCTAssertThrowsError(try SpecChecks.certificate(spec("bad.pfx"), secrets: secrets, now: now2026)) {
            XCTAssertTrue(String(describing: $0).hasPrefix("spec.yaml:15:11: certificate.pki.file: \(folder)/bad.pfx"), String(describing: $0))
        }
    }

    /// The self-signed certificate's key is checked when the secrets are resolved.
    func testSelfSignedKey() throws {
        let spec = try Fixture.parse(Fixture.bootable)
        XCTAssertThrowsError(try SpecChecks.certificate(spec, secrets: ResolvedSecrets(certificateKey: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), now: now2026)) {
            XCTAssertTrue(String(describing: $0).hasPrefix("spec.yaml:17:10: certificate.self-signed.key: file /specs/media-key.pem: "), String(describing: $0))
        }
        let key = try MediaKey.generate()
        XCTAssertNotNil(try SpecChecks.certificate(spec, secrets: ResolvedSecrets(certificateKey: key.pemEncoded), now: now2026))
    }

    func testSiteCertificates() throws {
        let folder = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (Fixture.pem + Fixture.pem).write(toFile: folder + "/roots.pem", atomically: true, encoding: .utf8)
        try Fixture.pem.write(toFile: folder + "/signing.pem", atomically: true, encoding: .utf8)
        try "junk".write(toFile: folder + "/bad.cer", atomically: true, encoding: .utf8)
        let spec = try Fixture.parse(Fixture.bootable + "root-ca-certificates: [roots.pem]\nsite-signing-certificate: signing.pem\n", folder: folder)
        let site = try SpecChecks.siteCertificates(spec)
        XCTAssertEqual(site.rootCAs.count, 2)
        XCTAssertEqual(site.rootCAs[0], site.signing)
        let bad = try Fixture.parse(Fixture.bootable + "root-ca-certificates: [bad.cer]\n", folder: folder)
        XCTAssertThrowsError(try SpecChecks.siteCertificates(bad)) {
            XCTAssertTrue(String(describing: $0).hasPrefix("spec.yaml:18:24: root-ca-certificates[0]: \(folder)/bad.cer is not a PEM or DER X.509 certificate"), String(describing: $0))
        }
    }
}
