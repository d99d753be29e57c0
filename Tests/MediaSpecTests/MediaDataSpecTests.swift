@testable import MediaSpec
import XCTest

/// The spec fields of the SMS/data files: the cipher, the site's certificates, the
/// self-signed certificate's key, internet-based media.
final class MediaDataSpecTests: XCTestCase {
    let internet = Fixture.bootable(replacing: "  site-based:\n    management-point: http://mp1.contoso.com\n    site-code: ABC",
                                    with: "  internet:\n    gateway: https://cmg.contoso.com/CCM_Proxy_MutualAuth/72057594037927941\n    site-code: ABC")

    func testDefaultsAndChoices() throws {
        let plain = try Fixture.parse(Fixture.bootable)
        XCTAssertEqual(plain.mediaData, MediaDataSettings())
        XCTAssertEqual(plain.mediaData.encryption, .aes128)
        guard case .selfSigned(_, _, let key)? = plain.certificate else { return XCTFail("not self-signed") }
        XCTAssertEqual(key, .file("/specs/media-key.pem"))

        let chosen = try Fixture.parse(Fixture.bootable + "encryption: aes256\nroot-ca-certificates: [certs/root1.pem, /etc/root2.cer]\nsite-signing-certificate: certs/signing.cer\n")
        XCTAssertEqual(chosen.mediaData, MediaDataSettings(encryption: .aes256, rootCACertificates: ["/specs/certs/root1.pem", "/etc/root2.cer"],
                                                           siteSigningCertificate: "/specs/certs/signing.cer"))
    }

    func testErrors() {
        XCTAssertEqual(Fixture.error(Fixture.bootable + "encryption: des\n"), "spec.yaml:18:13: encryption: \"des\" is not aes128 or aes256")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "    key: {file: media-key.pem}\n", with: "")),
                       "spec.yaml:15:5: certificate.self-signed.key: is missing: the certificate's private key, {file: media-key.pem} or {env: VARIABLE}; create one with `mediafs certificate new-key FILE`")
        let literal = Fixture.error(Fixture.bootable(replacing: "    key: {file: media-key.pem}", with: "    key: MIIEvQIBADANBgkq"))
        XCTAssertTrue(literal.hasPrefix("spec.yaml:17:10: certificate.self-signed.key: a private key must not be written in the spec"), literal)
        XCTAssertFalse(literal.contains("MIIEvQ"))
        let standalone = """
            kind: standalone
            library: lib
            target: usb
            boot: {image: ABC00001, architecture: x64}
            task-sequence: ABC00004
            root-ca-certificates: [a.pem]

            """
        XCTAssertEqual(Fixture.error(standalone), "spec.yaml:6:23: root-ca-certificates: is not used by stand-alone media (only bootable media talks to the site); remove it")
    }

    func testInternetBasedMedia() throws {
        XCTAssertEqual(Fixture.error(internet),
                       "spec.yaml:10:3: management.internet: internet-based media needs a media password (password: {env: …} or {file: …}); the wizard asks for a strong one, since anyone holding the media could otherwise reach the site from the internet")
        let spec = try Fixture.parse(internet + "password: {env: MEDIA_PASSWORD}\n")
        guard case .internet(let gateway, let code)? = spec.management else { return XCTFail("not internet") }
        XCTAssertEqual(gateway.url, "https://cmg.contoso.com/CCM_Proxy_MutualAuth/72057594037927941")
        XCTAssertEqual(code, "ABC")
        XCTAssertEqual(Fixture.error(internet.replacingOccurrences(of: "https://cmg", with: "http://cmg") + "password: {env: P}\n"),
                       "spec.yaml:11:14: management.internet.gateway: http://cmg.contoso.com/CCM_Proxy_MutualAuth/72057594037927941 is not an HTTPS URL; a cloud management gateway is reached over HTTPS only")
        XCTAssertEqual(Fixture.error(internet.replacingOccurrences(of: "    site-code: ABC\n", with: "") + "password: {env: P}\n"),
                       "spec.yaml:11:5: management.internet.site-code: is missing")
    }
}
