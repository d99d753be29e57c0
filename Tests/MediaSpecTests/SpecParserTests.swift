@testable import MediaSpec
import XCTest

final class SpecParserTests: XCTestCase {
    func testEveryFieldOfBootableMedia() throws {
        let spec = try Fixture.parse("""
            kind: bootable
            library: ../SCCMContentLib
            label: Lab USB
            target:
              usb:
                size: 8GiB
            boot:
              image: ABC00001.3
              architecture: x64
              bios-loader: boot/eltorito.img
              boot-info-table: true
              hybrid-mbr: /boot/boot_hybrid.img
            unattended: true
            management:
              dynamic:
                management-points:
                  - http://mp1.contoso.com
                  - http://mp2.contoso.com:8080/
                site-code: ABC
            unknown-computers:
              x64: "{6f0c1a2b-0000-4000-8000-000000000001}"
            user-device-affinity: pending-approval
            password: {env: MEDIA_PASSWORD}
            certificate:
              self-signed: {start: 2026-01-01, expires: 2027-01-01T12:00:00Z, key: {file: media-key.pem}}
            variables:
              OSDComputerName: LAB-01
              Empty: ""
              Number: 42
            prestart:
              command: cmd /c prestart.cmd
              package: ABC00005
            autorun: true
            """)
        XCTAssertEqual(spec.kind, .bootable)
        XCTAssertEqual(spec.libraryPath, "/specs/../SCCMContentLib")
        XCTAssertEqual(spec.label, "Lab USB")
        XCTAssertEqual(spec.target, .usb(size: 8 << 30))
        XCTAssertEqual(spec.target.usbSize, 8 << 30)
        XCTAssertEqual(spec.boot, BootSettings(image: PackageReference(packageID: "ABC00001", version: 3), architecture: .x64,
                                               biosLoader: "boot/eltorito.img", bootInfoTable: true, hybridMBR: "boot/boot_hybrid.img"))
        XCTAssertTrue(spec.unattended)
        guard case .dynamic(let mps, let code)? = spec.management else { return XCTFail("not dynamic") }
        XCTAssertEqual(mps.map(\.url), ["http://mp1.contoso.com", "http://mp2.contoso.com:8080/"])
        XCTAssertEqual(mps[1].port, 8080)
        XCTAssertEqual(mps[1].host, "mp2.contoso.com")
        XCTAssertEqual(code, "ABC")
        XCTAssertEqual(spec.unknownComputers, .enabled(x64: "6F0C1A2B-0000-4000-8000-000000000001", x86: nil))
        XCTAssertEqual(spec.userDeviceAffinity, .pendingApproval)
        XCTAssertEqual(spec.password, .environment("MEDIA_PASSWORD"))
        guard case .selfSigned(let start, let expires, _)? = spec.certificate else { return XCTFail("not self-signed") }
        XCTAssertEqual(start.seconds, 1_767_225_600)
        XCTAssertEqual(expires.seconds, 1_798_761_600 + 12 * 3600)
        XCTAssertEqual(spec.variables, [TaskSequenceVariable(name: "OSDComputerName", value: "LAB-01"),
                                        TaskSequenceVariable(name: "Empty", value: ""),
                                        TaskSequenceVariable(name: "Number", value: "42")])
        XCTAssertEqual(spec.prestart, PrestartCommand(commandLine: "cmd /c prestart.cmd", package: PackageReference(packageID: "ABC00005")))
        XCTAssertTrue(spec.autorun)
        XCTAssertNil(spec.taskSequence)
        XCTAssertEqual(spec.location(of: "boot.image").description, "spec.yaml:8:10")
        XCTAssertEqual(spec.location(of: "management.dynamic.management-points[1]").description, "spec.yaml:18:9")
        XCTAssertEqual(spec.warnings, [])
    }

    func testDefaults() throws {
        let spec = try Fixture.parse(Fixture.bootable)
        XCTAssertEqual(spec.label, "Configuration Manager")
        XCTAssertEqual(spec.boot.biosLoader, "boot/etfsboot.com")
        XCTAssertFalse(spec.boot.bootInfoTable)
        XCTAssertNil(spec.boot.hybridMBR)
        XCTAssertFalse(spec.unattended)
        XCTAssertFalse(spec.autorun)
        XCTAssertEqual(spec.unknownComputers, .disabled)
        XCTAssertEqual(spec.userDeviceAffinity, .none)
        XCTAssertNil(spec.password)
        XCTAssertEqual(spec.variables, [])
        guard case .siteBased(let mp, let code)? = spec.management else { return XCTFail("not site-based") }
        XCTAssertEqual(mp.url, "http://mp1.contoso.com")
        XCTAssertFalse(mp.isHTTPS)
        XCTAssertEqual(code, "ABC")
        // The default label is longer than a FAT label: the USB target warns.
        XCTAssertEqual(spec.warnings.map(\.description), [
            "spec.yaml: warning: label: the default label \"Configuration Manager\" is 21 characters long; a USB volume label holds 11, so the stick will be named \"Configuratio\" (MediaLabel.txt keeps the whole label)".replacingOccurrences(of: "Configuratio\"", with: "Configurati\""),
        ])
    }

    func testLongLabelWarnsOnlyForUSB() throws {
        let usb = try Fixture.parse(Fixture.bootable + "label: Contoso Deployment\n")
        XCTAssertEqual(usb.warnings.map(\.description), [
            "spec.yaml:18:8: warning: label: \"Contoso Deployment\" is 18 characters long; a USB volume label holds 11, so the stick will be named \"Contoso Dep\" (MediaLabel.txt keeps the whole label)",
        ])
        let short = try Fixture.parse(Fixture.bootable + "label: CONTOSO\n")
        XCTAssertEqual(short.warnings, [])
        let iso = try Fixture.parse(Fixture.bootable(replacing: "  usb:\n    size: 16GB", with: "  iso:\n    media-size: cd700") + "label: Contoso Deployment\n")
        XCTAssertEqual(iso.warnings, [])
    }

    func testTargets() throws {
        func target(_ yaml: String) throws -> MediaTarget {
            try Fixture.parse(Fixture.bootable(replacing: "  usb:\n    size: 16GB", with: yaml)).target
        }
        XCTAssertEqual(try target("  usb:\n    size: auto"), .usb(size: nil))
        XCTAssertEqual(try target("  usb:"), .usb(size: nil))
        XCTAssertEqual(try target("  usb:\n    size: 17179869184"), .usb(size: 17_179_869_184))
        XCTAssertEqual(try target("  usb:\n    size: 16 GB"), .usb(size: 16_000_000_000))
        XCTAssertEqual(try target("  iso:\n    media-size: cd650"), .iso(mediaSize: .cd650))
        XCTAssertEqual(try target("  iso:\n    media-size: cd700").isoMediaSize, 737_280_000)
        XCTAssertEqual(try target("  iso:\n    media-size: dvd").isoMediaSize, 4_700_372_992)
        XCTAssertEqual(try target("  iso:\n    media-size: dvd-dl").isoMediaSize, 8_547_991_552)
        XCTAssertEqual(try target("  iso:\n    media-size: 100000000"), .iso(mediaSize: .bytes(100_000_000)))
        XCTAssertEqual(try target("  iso:"), .iso(mediaSize: .dvd))
        XCTAssertEqual(try Fixture.parse(Fixture.bootable(replacing: "target:\n  usb:\n    size: 16GB", with: "target: iso")).target, .iso(mediaSize: .dvd))
    }

    func testStandAloneMedia() throws {
        let spec = try Fixture.parse("""
            kind: standalone
            library: /srv/SCCMContentLib
            target: {iso: {media-size: dvd}}
            boot: {image: ABC00001, architecture: x64}
            password: {file: secrets/media.txt}
            task-sequence: ABC00004
            extra-packages: [ABC00006, ABC00007.2]
            """)
        XCTAssertEqual(spec.kind, .standalone)
        XCTAssertEqual(spec.libraryPath, "/srv/SCCMContentLib")
        XCTAssertEqual(spec.password, .file("/specs/secrets/media.txt"))
        XCTAssertEqual(spec.taskSequence, PackageReference(packageID: "ABC00004"))
        XCTAssertEqual(spec.extraPackages, [PackageReference(packageID: "ABC00006"), PackageReference(packageID: "ABC00007", version: 2)])
        XCTAssertNil(spec.management)
        XCTAssertNil(spec.certificate)
    }

    func testCaptureMedia() throws {
        let spec = try Fixture.parse("""
            kind: capture
            library: lib
            target: usb
            label: CAPTURE
            boot: {image: ABC00001, architecture: x86}
            autorun: true
            """)
        XCTAssertEqual(spec.kind, .capture)
        XCTAssertEqual(spec.boot.architecture, .x86)
        XCTAssertTrue(spec.autorun)
    }

    func testPKICertificateAndHTTPS() throws {
        let spec = try Fixture.parse(Fixture.bootable
            .replacingOccurrences(of: "http://mp1", with: "https://mp1")
            .replacingOccurrences(of: "  self-signed:\n    start: 2026-01-01\n    expires: 2027-01-01\n    key: {file: media-key.pem}",
                                  with: "  pki:\n    file: certs/media.pem\n    password: {env: PKI_PASSWORD}"))
        XCTAssertEqual(spec.certificate, .pki(file: "/specs/certs/media.pem", password: .environment("PKI_PASSWORD")))
        XCTAssertEqual(spec.management?.all.first?.isHTTPS, true)
    }

    // MARK: errors, each with its line:column

    func testUnknownKeys() {
        XCTAssertEqual(Fixture.error(Fixture.bootable + "labell: x\n"),
                       "spec.yaml:18:1: labell: unknown key \"labell\" (known keys: kind, library, label, target, boot, unattended, management, unknown-computers, user-device-affinity, password, certificate, variables, prestart, autorun, task-sequence, extra-packages, os-image, packages, driver-packages, applications, media-properties, encryption, root-ca-certificates, site-signing-certificate)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "    site-code: ABC", with: "    site_code: ABC")),
                       "spec.yaml:12:5: management.site-based.site_code: unknown key \"site_code\"; did you mean site-code?")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "    size: 16GB", with: "    size: 16GB\n    format: true")),
                       "spec.yaml:6:5: target.usb.format: unknown key \"format\" (known keys: size)")
    }

    func testBadSize() {
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "size: 16GB", with: "size: 17XB")),
                       "spec.yaml:5:11: target.usb.size: \"17XB\" is not a size (use 16GB, 8GiB, a byte count or auto)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "  usb:\n    size: 16GB", with: "  iso:\n    media-size: bluray")),
                       "spec.yaml:5:17: target.iso.media-size: \"bluray\" is not a media size (use cd650, cd700, dvd, dvd-dl, or a size such as 4GB or a byte count)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "  usb:\n    size: 16GB", with: "  usb: {}\n  iso: {}")),
                       "spec.yaml:4:3: target: give exactly one of usb or iso")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "size: 16GB", with: "size: 1MB")),
                       "spec.yaml:5:11: target.usb.size: \"1MB\" is too small for a FAT32 disk (at least 64MiB)")
    }

    func testKinds() {
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "kind: bootable", with: "kind: prestaged")),
                       "spec.yaml:10:3: management: is not used by prestaged media (only bootable media contacts a management point); remove it")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "kind: bootable", with: "kind: floppy")),
                       "spec.yaml:1:7: kind: \"floppy\" is not a media kind (use bootable, standalone, capture or prestaged)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "kind: bootable\n", with: "")),
                       "spec.yaml:1:1: kind: is missing")
        // Fields of the wrong media kind.
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "kind: bootable", with: "kind: standalone")),
                       "spec.yaml:10:3: management: is not used by stand-alone media (only bootable media contacts a management point); remove it")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "task-sequence: ABC00004\n"),
                       "spec.yaml:18:16: task-sequence: is not used by bootable media (only stand-alone media carries its task sequence); remove it")
        XCTAssertEqual(Fixture.error("kind: standalone\nlibrary: lib\ntarget: usb\nboot: {image: ABC00001, architecture: x64}\n"),
                       "spec.yaml:1:1: task-sequence: is missing: stand-alone media needs its task sequence package")
        XCTAssertEqual(Fixture.error("kind: capture\nlibrary: lib\ntarget: usb\nboot: {image: ABC00001, architecture: x64}\npassword: {env: P}\n"),
                       "spec.yaml:5:11: password: is not used by capture media; remove it")
    }

    func testBootErrors() {
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "  image: ABC00001\n", with: "")),
                       "spec.yaml:7:3: boot.image: is missing")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "image: ABC00001", with: "image: abc00001")),
                       "spec.yaml:7:10: boot.image: \"abc00001\" is not a package ID (a 3-character site code and 5 hex digits, e.g. ABC00001, optionally pinned to a version: ABC00001.3) (package IDs are upper case: ABC00001)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "image: ABC00001", with: "image: ABC00001.0")),
                       "spec.yaml:7:10: boot.image: \"ABC00001.0\" is not a package ID (a 3-character site code and 5 hex digits, e.g. ABC00001, optionally pinned to a version: ABC00001.3)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "architecture: x64", with: "architecture: amd64")),
                       "spec.yaml:8:17: boot.architecture: \"amd64\" is not an architecture (use x86, x64 or arm64)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "architecture: x64", with: "architecture: x64\n  bios-loader: ../etfsboot.com")),
                       "spec.yaml:9:16: boot.bios-loader: \"../etfsboot.com\" is not a path inside the boot image (like boot/etfsboot.com)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "architecture: x64", with: "architecture: x64\n  boot-info-table: maybe")),
                       "spec.yaml:9:20: boot.boot-info-table: \"maybe\" is not true or false")
    }

    func testManagementErrors() {
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "http://mp1.contoso.com", with: "mp1.contoso.com")),
                       "spec.yaml:11:23: management.site-based.management-point: \"mp1.contoso.com\" is not a management point URL (http://server or https://server[:port])")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "site-code: ABC", with: "site-code: ABCD")),
                       "spec.yaml:12:16: management.site-based.site-code: \"ABCD\" is not a site code (3 characters, A-Z and 0-9)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "http://mp1.contoso.com", with: "https://mp1.contoso.com")),
                       "spec.yaml:11:23: management.site-based.management-point: https://mp1.contoso.com is an HTTPS management point, and a self-signed media certificate works only over HTTP (the wizard forbids this); import a PKI certificate (certificate: pki) or use an HTTP management point")
        let dynamic = Fixture.bootable(replacing: "  site-based:\n    management-point: http://mp1.contoso.com\n    site-code: ABC",
                                       with: "  dynamic:\n    management-points: [http://mp1.contoso.com, https://mp2.contoso.com]")
        XCTAssertEqual(Fixture.error(dynamic),
                       "spec.yaml:11:49: management.dynamic.management-points[1]: https://mp2.contoso.com is an HTTPS management point, and a self-signed media certificate works only over HTTP (the wizard forbids this); import a PKI certificate (certificate: pki) or use an HTTP management point")
        let pkiWithHTTP = Fixture.bootable(replacing: "  self-signed:\n    start: 2026-01-01\n    expires: 2027-01-01\n    key: {file: media-key.pem}", with: "  pki: {file: c.pem}")
        XCTAssertEqual(Fixture.error(pkiWithHTTP),
                       "spec.yaml:11:23: management.site-based.management-point: http://mp1.contoso.com is an HTTP management point, and a PKI media certificate is for HTTPS (the wizard offers only HTTPS management points then); use https:// or a self-signed certificate")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "management:\n  site-based:\n    management-point: http://mp1.contoso.com\n    site-code: ABC\n", with: "")),
                       "spec.yaml:1:1: management: is missing: bootable media needs site-based or dynamic management points")
    }

    func testSecretsAreNeverLiteral() {
        let message = Fixture.error(Fixture.bootable + "password: Secret123!\n")
        XCTAssertEqual(message, "spec.yaml:18:11: password: a password must not be written in the spec, where anyone who can read the file can read it; give {env: VARIABLE} (an environment variable) or {file: path} (a file holding it) instead")
        XCTAssertFalse(message.contains("Secret123"), "the message must not repeat the secret")
        let pki = Fixture.bootable.replacingOccurrences(of: "http://mp1", with: "https://mp1")
            .replacingOccurrences(of: "  self-signed:\n    start: 2026-01-01\n    expires: 2027-01-01\n    key: {file: media-key.pem}",
                                  with: "  pki:\n    file: c.pem\n    password: hunter2")
        let pkiMessage = Fixture.error(pki)
        XCTAssertTrue(pkiMessage.hasPrefix("spec.yaml:16:15: certificate.pki.password: a certificate password must not be written in the spec"), pkiMessage)
        XCTAssertFalse(pkiMessage.contains("hunter2"))
        XCTAssertEqual(Fixture.error(Fixture.bootable + "password: {env: 1BAD}\n"),
                       "spec.yaml:18:17: password.env: \"1BAD\" is not an environment variable name")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "password: {env: A, file: b}\n"),
                       "spec.yaml:18:11: password: give exactly one of env or file")
    }

    func testCertificateDates() {
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "expires: 2027-01-01", with: "expires: 2025-06-01")),
                       "spec.yaml:16:14: certificate.self-signed.expires: 2025-06-01 is not after the start date 2026-01-01")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "expires: 2027-01-01", with: "expires: 2027-02-30")),
                       "spec.yaml:16:14: certificate.self-signed.expires: \"2027-02-30\" is not a date (use 2026-01-01 or 2026-01-01T08:00:00Z, UTC)")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "  self-signed:\n    start: 2026-01-01\n    expires: 2027-01-01\n    key: {file: media-key.pem}", with: "  self-signed: {}\n  pki: {file: a}")),
                       "spec.yaml:14:3: certificate: give exactly one of self-signed or pki")
    }

    func testVariables() {
        XCTAssertEqual(Fixture.error(Fixture.bootable + "variables:\n  _SMSTSMediaType: x\n"),
                       "spec.yaml:19:3: variables._SMSTSMediaType: names that start with _ are read-only task sequence variables, set by Configuration Manager")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "variables:\n  smstsmp: http://x\n"),
                       "spec.yaml:19:3: variables.smstsmp: mediafs sets smstsmp from the management field; set it there")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "variables:\n  Site: A\n  SITE: B\n"),
                       "spec.yaml:20:3: variables.SITE: SITE is already set as Site (variable names ignore case)")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "variables:\n  Bad Name: A\n"),
                       "spec.yaml:19:3: variables.Bad Name: \"Bad Name\" is not a variable name (letters, digits and _, at most 255)")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "variables:\n  A:\n"),
                       "spec.yaml:19:5: variables.A: needs a string value (write \"\" for an empty one)")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "variables:\n  A: [1, 2]\n"),
                       "spec.yaml:19:6: variables.A: needs a string value (write \"\" for an empty one)")
    }

    func testStandAloneLists() {
        let base = "kind: standalone\nlibrary: lib\ntarget: iso\nboot: {image: ABC00001, architecture: x64}\ntask-sequence: ABC00004\n"
        XCTAssertEqual(Fixture.error(base + "extra-packages: [ABC00006, ABC00006.2]\n"),
                       "spec.yaml:6:28: extra-packages[1]: ABC00006 is already listed (extra-packages[0])")
        XCTAssertEqual(Fixture.error(base + "extra-packages: ABC00006\n"),
                       "spec.yaml:6:17: extra-packages: must be a list")
        XCTAssertEqual(Fixture.error(base + "prestart: {package: ABC00005}\n"),
                       "spec.yaml:6:11: prestart.command: is missing")
    }

    func testYAMLErrors() {
        XCTAssertEqual(Fixture.error(Fixture.bootable + "kind: capture\n"),
                       "spec.yaml:1:1: duplicate key \"kind\" in one mapping")
        let syntax = Fixture.error("kind: bootable\ntarget: [usb\n")
        XCTAssertTrue(syntax.hasPrefix("spec.yaml:3:1: not valid YAML: "), syntax)
        XCTAssertEqual(Fixture.error(""), "spec.yaml: the spec is empty")
        XCTAssertEqual(Fixture.error("- a\n- b\n"), "spec.yaml:1:1: must be a mapping (key: value) with kind, library, label, target, boot, unattended, management, unknown-computers, user-device-affinity, password, certificate, variables, prestart, autorun, task-sequence, extra-packages, os-image, packages, driver-packages, applications, media-properties, encryption, root-ca-certificates, site-signing-certificate")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "label: \"a\\ab\"\n"),
                       "spec.yaml:18:8: label: contains a control character")
    }

    func testValues() {
        XCTAssertEqual(SpecValues.byteCount("16GB"), 16_000_000_000)
        XCTAssertEqual(SpecValues.byteCount("8GiB"), 8 << 30)
        XCTAssertEqual(SpecValues.byteCount("512mib"), 512 << 20)
        XCTAssertEqual(SpecValues.byteCount("4096"), 4096)
        XCTAssertNil(SpecValues.byteCount("1.5GB"))
        XCTAssertNil(SpecValues.byteCount("GB"))
        XCTAssertNil(SpecValues.byteCount("99999999999999999999"))
        XCTAssertNil(SpecValues.byteCount("20000000TB"))
        XCTAssertEqual(SpecValues.date("1970-01-01")?.seconds, 0)
        XCTAssertEqual(SpecValues.date("2024-02-29T23:59:59Z")?.seconds, 1_709_251_199)
        XCTAssertNil(SpecValues.date("2023-02-29"))
        XCTAssertEqual(SpecDate.format(1_709_251_199), "2024-02-29T23:59:59Z")
        XCTAssertEqual(PackageReference(parsing: "AB100001")?.description, "AB100001")
        XCTAssertNil(PackageReference(parsing: "ABC0000G"))
        XCTAssertNil(PackageReference(parsing: "ABC00001."))
        XCTAssertTrue(Architecture.x64.runs(.x86))
        XCTAssertFalse(Architecture.x86.runs(.x64))
        XCTAssertFalse(Architecture.arm64.runs(.x64))
        XCTAssertEqual(Architecture(peMachine: 0xAA64), .arm64)
    }
}

final class PrestagedSpecTests: XCTestCase {
    static let prestaged = """
        kind: prestaged
        library: lib
        label: Factory
        boot: {image: ABC00001, architecture: x64}
        os-image: {package: ABC00002, index: 2}
        packages: [ABC00003]
        driver-packages: [ABC00004.2]
        applications: [ABC00005]
        variables: {OSDComputerName: F-01}
        media-properties: {created-by: IT, version: "1.0", comment: Hello}

        """

    func testParses() throws {
        let spec = try Fixture.parse(Self.prestaged)
        XCTAssertEqual(spec.kind, .prestaged)
        XCTAssertEqual(spec.target, .wim, "the default target of prestaged media")
        XCTAssertEqual(spec.osImage, OSImageReference(package: PackageReference(packageID: "ABC00002"), index: 2))
        XCTAssertEqual(spec.prestagedPackages.packages, [PackageReference(packageID: "ABC00003")])
        XCTAssertEqual(spec.prestagedPackages.driverPackages, [PackageReference(packageID: "ABC00004", version: 2)])
        XCTAssertEqual(spec.prestagedPackages.applications, [PackageReference(packageID: "ABC00005")])
        XCTAssertEqual(spec.mediaProperties, MediaProperties(createdBy: "IT", version: "1.0", comment: "Hello"))
        XCTAssertEqual(try Fixture.parse(Self.prestaged + "target: wim\n").target, .wim)
        XCTAssertEqual(try Fixture.parse(Self.prestaged.replacingOccurrences(of: "os-image: {package: ABC00002, index: 2}", with: "os-image: ABC00002")).osImage?.index, 1)
    }

    func testErrors() {
        XCTAssertEqual(Fixture.error(Self.prestaged + "target: usb\n"),
                       "spec.yaml:11:9: target: prestaged media is one WIM file to apply to a disk: leave target out or write target: wim")
        XCTAssertEqual(Fixture.error(Self.prestaged.replacingOccurrences(of: "os-image: {package: ABC00002, index: 2}\n", with: "")),
                       "spec.yaml:1:1: os-image: is missing: prestaged media needs the OS image package to apply")
        XCTAssertEqual(Fixture.error(Self.prestaged.replacingOccurrences(of: "index: 2", with: "index: 0")),
                       "spec.yaml:5:38: os-image.index: \"0\" is not an image index (1 for the first image of the WIM)")
        XCTAssertEqual(Fixture.error(Self.prestaged.replacingOccurrences(of: "applications: [ABC00005]", with: "applications: [ABC00003]")),
                       "spec.yaml:8:16: applications[0]: ABC00003 is already listed (packages[0])")
        XCTAssertEqual(Fixture.error(Self.prestaged + "autorun: true\n"),
                       "spec.yaml:11:10: autorun: is not used by prestaged media (prestaged media is applied to a disk, not inserted); remove it")
        XCTAssertEqual(Fixture.error(Fixture.bootable + "os-image: ABC00002\n"),
                       "spec.yaml:18:11: os-image: is not used by bootable media (only prestaged media carries an OS image); remove it")
        XCTAssertEqual(Fixture.error(Fixture.bootable(replacing: "target:\n  usb:\n    size: 16GB", with: "target: wim")),
                       "spec.yaml:3:9: target: only prestaged media is a WIM (kind: prestaged); bootable media is usb or iso (mediafs export --format wim still writes its tree as a WIM)")
    }
}
