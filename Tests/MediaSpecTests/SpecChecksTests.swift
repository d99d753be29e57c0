@testable import MediaSpec
import XCTest

final class SpecChecksTests: XCTestCase {
    let now2026 = SpecValues.date("2026-06-01")!.seconds

    func testSecretsFromEnvironmentAndFile() throws {
        let folder = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "from a file\n".write(toFile: folder + "/media.txt", atomically: true, encoding: .utf8)
        let spec = try Fixture.parse(Fixture.bootable + "password: {file: media.txt}\n", folder: folder)
        XCTAssertEqual(try SpecChecks.resolveSecrets(spec, environment: [:]).password, "from a file")

        let env = try Fixture.parse(Fixture.bootable + "password: {env: MEDIA_PASSWORD}\n")
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

    func testPKICertificatePEMAndDER() throws {
        let folder = try Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ("junk before\n" + Fixture.pem).write(toFile: folder + "/media.pem", atomically: true, encoding: .utf8)
        let body = Fixture.pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try XCTUnwrap(Data(base64Encoded: body))
        try der.write(to: URL(fileURLWithPath: folder + "/media.cer"))
        try "not a certificate".write(toFile: folder + "/bad.pem", atomically: true, encoding: .utf8)

        func spec(_ file: String) throws -> MediaSpec {
            try Fixture.parse(Fixture.bootable.replacingOccurrences(of: "http://mp1", with: "https://mp1")
                .replacingOccurrences(of: "  self-signed:\n    start: 2026-01-01\n    expires: 2027-01-01\n    key: {file: media-key.pem}",
                                      with: "  pki:\n    file: \(file)"), folder: folder)
        }
        for file in ["media.pem", "media.cer"] {
            let facts = try XCTUnwrap(try SpecChecks.certificate(spec(file), now: now2026 + 200 * 86_400))
            XCTAssertEqual(facts.kind, .pki)
            XCTAssertEqual(SpecDate.format(facts.notBefore), "2026-11-21T03:03:49Z")
            XCTAssertEqual(SpecDate.format(facts.notAfter), "2126-10-28T03:03:49Z")
            XCTAssertEqual(facts.der, Array(der))
        }
        let nearEnd = SpecValues.date("2126-10-20")!.seconds
        XCTAssertThrowsError(try SpecChecks.certificate(spec("media.pem"), now: nearEnd)) {
            XCTAssertEqual(String(describing: $0), "spec.yaml:15:11: certificate.pki.file: the media certificate expires on 2126-10-28T03:03:49Z, within 30 days (now is 2126-10-20T00:00:00Z by this computer's clock); media made with it would soon stop working — choose a later expiry")
        }
        XCTAssertThrowsError(try SpecChecks.certificate(spec("bad.pem"), now: now2026)) {
            XCTAssertTrue(String(describing: $0).hasPrefix("spec.yaml:15:11: certificate.pki.file: \(folder)/bad.pem is not a PEM or DER X.509 certificate"), String(describing: $0))
        }
    }
}
