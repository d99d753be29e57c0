import ContentLibrary
import MediaCredentials
import MediaData
import MediaSpec
@testable import MediaTree
import XCTest

/// The SMS/data files the composer writes: the media certificate, the site's certificates, internet-based media.
final class MediaDataTests: XCTestCase {
    nonisolated(unsafe) static var cachedKey: MediaKey?
    /// One RSA key for the tests (made once: generating one takes a while).
    static func key() throws -> MediaKey {
        if let cachedKey { return cachedKey }
        let key = try MediaKey.generate()
        cachedKey = key
        return key
    }

    let facts = CertificateFacts(kind: .selfSigned, notBefore: 1_767_225_600, notAfter: 1_798_761_600, der: nil)

    func testSelfSignedPFX() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        let key = try Self.key()
        let result = try lib.compose(Specs.bootable, certificate: facts, certificateKey: key.pemEncoded)
        let guid = try XCTUnwrap(result.variables["_SMSMediaGuid"])
        XCTAssertEqual(guid, "{\(result.mediaGuid)}")
        let hex = try XCTUnwrap(result.variables["_SMSTSMediaPFX"])
        XCTAssertEqual(hex, hex.uppercased())
        let der = try XCTUnwrap(hexBytes(hex))
        let contents = try PKCS12.decode(der, password: String(guid.prefix(31)), source: "pfx")
        XCTAssertEqual(contents.privateKeyPKCS8, key.pkcs8DER)
        let summary = try CertificateSummary(der: try XCTUnwrap(contents.certificates.first), source: "pfx")
        XCTAssertEqual(summary.subject, "CN=mediafs media \(guid)")
        XCTAssertEqual(summary.issuer, summary.subject)
        XCTAssertEqual(summary.notBefore, 1_767_225_600)
        XCTAssertEqual(summary.notAfter, 1_798_761_600)
        XCTAssertTrue(summary.hasClientAuthentication)
        XCTAssertThrowsError(try PKCS12.decode(der, password: String(guid.prefix(30)), source: "pfx"))
        // Same inputs, same bytes; the file carries the same PFX.
        let again = try lib.compose(Specs.bootable, certificate: facts, certificateKey: key.pemEncoded)
        XCTAssertEqual(again.variables["_SMSTSMediaPFX"], hex)
        XCTAssertTrue(try LibraryFixture.decrypted(result.tree, "SMS/data/Variables.dat", password: MediaDataEnvelope.defaultPassword)
            .contains("<var name=\"_SMSTSMediaPFX\"><![CDATA[\(hex)]]></var>"))
        // Without the key, no media.
        XCTAssertThrowsError(try lib.compose(Specs.bootable, certificate: facts))
    }

    func testSiteCertificatesAndInternetMedia() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        let spec = try lib.spec(Specs.bootable.replacingOccurrences(
            of: "  site-based:\n    management-point: http://mp1.contoso.com:8080\n    site-code: ABC",
            with: "  internet: {gateway: https://cmg.contoso.com/CCM_Proxy_MutualAuth/1, site-code: ABC}") + "password: {env: P}\nencryption: aes256\n")
        let site = SiteCertificates(rootCAs: [[1, 2], [0xAB]], signing: [0xCD, 0xEF])
        let result = try MediaComposer(spec: spec, snapshot: lib.library.snapshot(), secrets: ResolvedSecrets(password: "p"),
                                       siteCertificates: site).compose()
        XCTAssertEqual(result.variables["SMSTSMP"], "https://cmg.contoso.com/CCM_Proxy_MutualAuth/1")
        XCTAssertEqual(result.variables["_SMSTSInternetMedia"], "true")
        XCTAssertEqual(result.variables["_SMSTSRootCACerts"], "0102*AB")
        XCTAssertEqual(result.variables["_SMSTSSiteSigningCertificate"], "CDEF")
        guard case .file(let f)? = result.tree.node(at: "SMS/data/Variables.dat"), case .bytes(let b) = f.source else { return XCTFail() }
        XCTAssertEqual(try MediaDataEnvelope.decrypt(b.bytes, password: "p", source: "v").cipher, .aes256)
    }

    func hexBytes(_ hex: String) -> [UInt8]? {
        let d = Array(hex.utf8)
        guard d.count % 2 == 0 else { return nil }
        return stride(from: 0, to: d.count, by: 2).compactMap { UInt8(String(decoding: d[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }
}
