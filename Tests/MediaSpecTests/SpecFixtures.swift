@testable import MediaSpec
import XCTest

/// Spec texts and helpers shared by the spec tests.
enum Fixture {
    static let folder = "/specs"

    static let bootable = """
        kind: bootable
        library: lib
        target:
          usb:
            size: 16GB
        boot:
          image: ABC00001
          architecture: x64
        management:
          site-based:
            management-point: http://mp1.contoso.com
            site-code: ABC
        certificate:
          self-signed:
            start: 2026-01-01
            expires: 2027-01-01
            key: {file: media-key.pem}

        """

    /// A test certificate (EC P-256, CN=mediafs-test), valid 2026-11-21T03:03:49Z to 2126-10-28T03:03:49Z.
    static let pem = """
        -----BEGIN CERTIFICATE-----
        MIIBhDCCASugAwIBAgIUOcaqnKM2deL8ovCPpFn52BLGEHgwCgYIKoZIzj0EAwIw
        FzEVMBMGA1UEAwwMbWVkaWFmcy10ZXN0MCAXDTI2MTEyMTAzMDM0OVoYDzIxMjYx
        MDI4MDMwMzQ5WjAXMRUwEwYDVQQDDAxtZWRpYWZzLXRlc3QwWTATBgcqhkjOPQIB
        BggqhkjOPQMBBwNCAAQywG/AIhn5mmedGVn4n93j8UX/liFMREoaQm7GL8FSGO4q
        GqeUP1tzQn7J3POuo0GDhUtttrXCvXNYj/vJqMNEo1MwUTAdBgNVHQ4EFgQUbPuI
        qgEcsnhupbyWy28cmPXCJLowHwYDVR0jBBgwFoAUbPuIqgEcsnhupbyWy28cmPXC
        JLowDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBxa5EcN8fuX+OB
        kXl/Ng03mFMyab8JtZtZ5l7wakCFlgIgcZapSTSePDol65UV4EAzUgqU1sVUb+yK
        BhdaWQq5GJo=
        -----END CERTIFICATE-----

        """

    static func parse(_ text: String, folder: String = Fixture.folder) throws -> MediaSpec {
        try SpecParser.parse(Array(text.utf8), path: "spec.yaml", folder: folder)
    }

    /// The message the spec fails with, or a test failure when it parses.
    static func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try parse(text)
            XCTFail("the spec parsed, but an error was expected", file: file, line: line)
            return ""
        } catch {
            return String(describing: error)
        }
    }

    /// The bootable fixture with `old` replaced by `new` (exactly once).
    static func bootable(replacing old: String, with new: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        XCTAssertTrue(bootable.contains(old), "fixture has no \(old)", file: file, line: line)
        return bootable.replacingOccurrences(of: old, with: new)
    }

    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "mediafs-spec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
