import ContentLibrary
import Crypto
import MediaSpec
@testable import MediaTree
import RegionMap
import MediaCredentials
import MediaData
import XCTest

final class MediaComposerTests: XCTestCase {
    func testBootableMedia() throws {
        let lib = try LibraryFixture()
        let boot = try lib.addBootImage()
        let result = try lib.compose(Specs.bootable + """
            unattended: true
            unknown-computers: true
            user-device-affinity: auto-approve
            password: {env: MEDIA_PASSWORD}
            variables: {OSDComputerName: "LAB-<01>"}
            prestart: {command: "cmd /c x.cmd"}
            autorun: true
            """, password: "s3cret-Pa55", certificate: CertificateFacts(kind: .selfSigned, notBefore: 1_767_225_600, notAfter: 1_798_761_600, der: nil),
            certificateKey: try MediaDataTests.key().pemEncoded)
        let tree = result.tree
        XCTAssertEqual(LibraryFixture.paths(tree), [
            "EFI/BOOT/BOOTX64.EFI", "MediaLabel.txt",
            "SMS/bin/x64/TSMBAutorun.exe", "SMS/bin/x64/TsmBootstrap.exe",
            "SMS/data/TsmBootstrap.ini", "SMS/data/Variables.dat",
            "autorun.inf", "boot/boot_hybrid.img", "boot/etfsboot.com", "sources/boot.wim",
        ])
        XCTAssertEqual(tree.label, "LAB")

        // Package files are blobs of the library with their recorded hash, time and package.
        guard case .file(let efi)? = tree.node(at: "EFI/BOOT/BOOTX64.EFI"), case .blob(let blob) = efi.source else { return XCTFail("no EFI blob") }
        let recorded = try XCTUnwrap(boot.files.first { $0.path == "EFI/BOOT/BOOTX64.EFI" })
        XCTAssertEqual(blob.sha256, recorded.hash)
        XCTAssertEqual(blob.path, recorded.blobPath)
        XCTAssertEqual(efi.modified, Timestamp(fileTime: recorded.timeModified))
        XCTAssertEqual(efi.package, "ABC00001")

        XCTAssertEqual(LibraryFixture.text(tree, "MediaLabel.txt"), "label=LAB\r\n")
        let guid = result.mediaGuid
        XCTAssertEqual(LibraryFixture.text(tree, "SMS/data/TsmBootstrap.ini"), [
            "[MediaInfo]", "MediaType=BootMedia", "MediaGuid=\(guid)", "PasswordRequired=true", "Unattended=true",
            "MediaLabel=LAB", "LaunchMode=UFD+FORMAT", "Architecture=x64", "BootImageID=ABC00001",
            "BootImageContentID=ABC00001.1", "Generator=mediafs",
        ].map { $0 + "\r\n" }.joined())
        XCTAssertEqual(LibraryFixture.text(tree, "autorun.inf"),
                       "[autorun]\r\nopen=SMS\\bin\\x64\\TSMBAutorun.exe\r\nicon=SMS\\bin\\x64\\TSMBAutorun.exe,0\r\nlabel=LAB\r\n")

        let raw = LibraryFixture.text(tree, "SMS/data/Variables.dat")
        XCTAssertFalse(raw.contains("s3cret-Pa55"), "the password must never be on the media")
        XCTAssertThrowsError(try LibraryFixture.decrypted(tree, "SMS/data/Variables.dat", password: MediaDataEnvelope.defaultPassword))
        let variables = try LibraryFixture.decrypted(tree, "SMS/data/Variables.dat", password: "s3cret-Pa55")
        let x64Unknown = try XCTUnwrap(result.variables["_SMSTSx64UnknownMachineGUID"])
        let x86Unknown = try XCTUnwrap(result.variables["_SMSTSx86UnknownMachineGUID"])
        func v(_ name: String, _ value: String) -> String { "<var name=\"\(name)\"><![CDATA[\(value)]]></var>" }
        XCTAssertEqual(variables, [
            "<?xml version=\"1.0\" encoding=\"utf-16\"?>",
            "<MediaVarList Version=\"4.00.5345.0000\">",
            v("OSDComputerName", "LAB-<01>"),
            v("SMSTSAssignUsersMode", "Auto"),
            v("SMSTSMP", "http://mp1.contoso.com:8080"),
            v("_SMSMediaGuid", "{\(guid)}"),
            v("_SMSTSBootImageID", "ABC00001"),
            v("_SMSTSBootMediaPackageID", "ABC00001"),
            v("_SMSTSHTTPPort", "8080"),
            v("_SMSTSHTTPSPort", "443"),
            v("_SMSTSIISSSLState", "0"),
            v("_SMSTSLaunchMode", "UFD+FORMAT"),
            v("_SMSTSMediaPFX", try XCTUnwrap(result.variables["_SMSTSMediaPFX"])),
            v("_SMSTSMediaType", "BootMedia"),
            v("_SMSTSPreStartCommandLine", "cmd /c x.cmd"),
            v("_SMSTSSiteCode", "ABC"),
            v("_SMSTSUseFirstCert", "0"),
            v("_SMSTSx64UnknownMachineGUID", x64Unknown),
            v("_SMSTSx86UnknownMachineGUID", x86Unknown),
            "</MediaVarList>",
        ].map { $0 + "\r\n" }.joined())
        XCTAssertNotEqual(x64Unknown, x86Unknown)
        XCTAssertEqual(result.warnings, [])
    }

    func testDynamicMediaVariables() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        let result = try lib.compose(Specs.bootable.replacingOccurrences(
            of: "  site-based:\n    management-point: http://mp1.contoso.com:8080\n    site-code: ABC",
            with: "  dynamic:\n    management-points: [http://mp1.contoso.com, http://mp2.contoso.com]")
            + "unknown-computers: {x64: 11111111-2222-3333-4444-555555555555}\n")
        XCTAssertEqual(result.variables["SMSTSLocationMPs"], "http://mp1.contoso.com*http://mp2.contoso.com")
        XCTAssertNil(result.variables["SMSTSMP"])
        XCTAssertNil(result.variables["_SMSTSSiteCode"])
        XCTAssertEqual(result.variables["_SMSTSHTTPPort"], "80")
        XCTAssertEqual(result.variables["_SMSTSx64UnknownMachineGUID"], "11111111-2222-3333-4444-555555555555")
        XCTAssertEqual(result.variables["SMSTSAssignUsersMode"], "Disabled")
        XCTAssertTrue(LibraryFixture.text(result.tree, "SMS/data/TsmBootstrap.ini").contains("PasswordRequired=false\r\n"))
        // Without a media password, anyone opens it with the published default.
        XCTAssertTrue(try LibraryFixture.decrypted(result.tree, "SMS/data/Variables.dat", password: MediaDataEnvelope.defaultPassword)
            .contains("<var name=\"SMSTSLocationMPs\">"))
    }

    func testStandAloneMedia() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        try lib.add("ABC00002", name: "Windows 11", ["sources/install.wim": [UInt8](repeating: 1, count: 10_000)])
        try lib.add("ABC00003", name: "Drivers", ["net/e1000.inf": Array("inf".utf8), "net/e1000.sys": [1, 2]], emptyFolders: ["storage"])
        try lib.add("ABC00003", name: "Drivers", ["net/e1000.inf": Array("inf v2".utf8)])
        try lib.add("ABC00005", ["prestart.cmd": Array("echo hi".utf8)])
        try lib.add("ABC00006", ["tools/x.exe": [9]])
        try lib.add("ABC00004", name: "Deploy Windows", ["TaskSequence.xml": Array("""
            <?xml version="1.0"?>
            <!-- <reference package="ZZZ00009"/> is commented out -->
            <sequence version="3.00">
              <referenceList>
                <reference package="ABC00002" />
                <reference package='ABC00003.1'/>
                <reference package="ABC00001"/>
              </referenceList>
              <step type="SMS_TaskSequence_ApplyOperatingSystemAction" package="ABC00002"><![CDATA[ package="ZZZ00008" ]]></step>
            </sequence>
            """.utf8)])
        let result = try lib.compose(Specs.standalone)
        let paths = LibraryFixture.paths(result.tree)
        XCTAssertEqual(paths.filter { $0.hasPrefix("SMS/PKG/") }, [
            "SMS/PKG/ABC00002/sources/install.wim",
            "SMS/PKG/ABC00003/net/e1000.inf", "SMS/PKG/ABC00003/net/e1000.sys",
            "SMS/PKG/ABC00004/TaskSequence.xml",
            "SMS/PKG/ABC00005/prestart.cmd",
            "SMS/PKG/ABC00006/tools/x.exe",
        ])
        // The pinned version 1 of the drivers (two files), with its empty folder.
        guard case .directory(let storage)? = result.tree.node(at: "SMS/PKG/ABC00003/storage") else { return XCTFail("no empty folder") }
        XCTAssertTrue(storage.children.isEmpty)
        XCTAssertTrue(paths.contains("SMS/data/Policy.xml"))
        XCTAssertFalse(paths.contains("autorun.inf"))
        XCTAssertEqual(result.packages.map { "\($0.content.contentID) \($0.role.rawValue)" },
                       ["ABC00001.1 boot-image", "ABC00004.1 task-sequence", "ABC00002.1 referenced",
                        "ABC00003.1 referenced", "ABC00006.1 extra", "ABC00005.1 prestart"])
        // Policy.xml opens with the _SMSMediaGuid value when the media has no password.
        let policy = try LibraryFixture.decrypted(result.tree, "SMS/data/Policy.xml", password: "{\(result.mediaGuid)}")
        XCTAssertTrue(policy.contains("<TaskSequence packageID=\"ABC00004\" contentID=\"ABC00004.1\" role=\"task-sequence\" name=\"Deploy Windows\" path=\"SMS\\PKG\\ABC00004\" files=\"1\""), policy)
        XCTAssertTrue(policy.contains("<Package packageID=\"ABC00003\" contentID=\"ABC00003.1\" role=\"referenced\" name=\"Drivers\" path=\"SMS\\PKG\\ABC00003\" files=\"2\" bytes=\"5\"/>"), policy)
        let ini = LibraryFixture.text(result.tree, "SMS/data/TsmBootstrap.ini")
        XCTAssertTrue(ini.contains("MediaType=FullMedia\r\n") && ini.contains("TaskSequenceID=ABC00004\r\n") && ini.contains("LaunchMode=DVD\r\n"), ini)
        XCTAssertEqual(result.variables["_SMSTSMediaType"], "FullMedia")
        XCTAssertEqual(result.variables["_SMSTSPreStartPackageID"], "ABC00005")
        XCTAssertNil(result.variables["SMSTSAssignUsersMode"])
    }

    func testCaptureMedia() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        let result = try lib.compose(Specs.capture)
        XCTAssertEqual(LibraryFixture.paths(result.tree), [
            "EFI/BOOT/BOOTX64.EFI", "MediaLabel.txt", "SMS/bin/x64/TSMBAutorun.exe", "SMS/bin/x64/TsmBootstrap.exe",
            "SMS/data/TsmBootstrap.ini", "SMS/data/Variables.dat", "boot/boot_hybrid.img", "boot/etfsboot.com", "sources/boot.wim",
        ])
        let ini = LibraryFixture.text(result.tree, "SMS/data/TsmBootstrap.ini")
        XCTAssertTrue(ini.contains("MediaType=CaptureMedia\r\n") && ini.contains("CaptureMedia=true\r\n"), ini)
        XCTAssertEqual(result.variables["_SMSTSMediaType"], "CaptureMedia")
        XCTAssertEqual(result.variables["_SMSTSLaunchMode"], "DVD")
    }

    /// A WIM header of `images` images (what the index check reads), then filler.
    static func wimHeader(images: UInt32) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 300)
        h.replaceSubrange(0..<8, with: [0x4D, 0x53, 0x57, 0x49, 0x4D, 0, 0, 0])
        h[8] = 208
        h[44] = UInt8(images)
        return h
    }

    func testPrestagedMedia() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        try lib.add("ABC00002", ["sources/install.wim": Self.wimHeader(images: 2)])
        try lib.add("ABC00003", ["net/a.inf": Array("[Version]".utf8)])
        try lib.add("ABC00007", ["app.msi": [1, 2, 3]])
        let spec = """
            kind: prestaged
            library: lib
            label: Factory
            boot: {image: ABC00001, architecture: x64}
            os-image: {package: ABC00002, index: 2}
            driver-packages: [ABC00003]
            applications: [ABC00007]

            """
        let result = try lib.compose(spec)
        XCTAssertEqual(LibraryFixture.paths(result.tree), [
            "EFI/BOOT/BOOTX64.EFI", "MediaLabel.txt", "SMS/bin/x64/TSMBAutorun.exe", "SMS/bin/x64/TsmBootstrap.exe",
            "SMS/data/TsmBootstrap.ini", "SMS/data/Variables.dat",
            "_SMSTaskSequence/Packages/ABC00002/sources/install.wim", "_SMSTaskSequence/Packages/ABC00003/net/a.inf",
            "_SMSTaskSequence/Packages/ABC00007/app.msi",
            "boot/boot_hybrid.img", "boot/etfsboot.com", "sources/boot.wim",
        ])
        XCTAssertEqual(result.variables["_SMSTSMediaType"], "OEMMedia")
        XCTAssertEqual(result.variables["_SMSTSLaunchMode"], "HD")
        let ini = LibraryFixture.text(result.tree, "SMS/data/TsmBootstrap.ini")
        XCTAssertTrue(ini.contains("MediaType=OEMMedia\r\n") && ini.contains("OSImageID=ABC00002\r\nOSImageContentID=ABC00002.1\r\nOSImageIndex=2\r\n"), ini)
        XCTAssertEqual(result.packages.map(\.role), [.bootImage, .osImage, .driverPackage, .application])

        XCTAssertEqual(lib.composeError(spec.replacingOccurrences(of: "index: 2", with: "index: 3")),
                       "spec.yaml:5:38: os-image.index: ABC00002.1's sources/install.wim holds 2 images; there is no image 3")
        try lib.add("ABC00008", ["readme.txt": [1]])
        XCTAssertEqual(lib.composeError(spec.replacingOccurrences(of: "package: ABC00002", with: "package: ABC00008")),
                       "spec.yaml:5:21: os-image.package: ABC00008.1 holds no .wim file: an OS image package holds the image's WIM")
    }

    func testDeterministicAndTimedBySourceDateEpoch() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        let a = try lib.compose(Specs.bootable)
        let b = try lib.compose(Specs.bootable)
        XCTAssertEqual(a.tree.fingerprint, b.tree.fingerprint)
        XCTAssertEqual(a.mediaGuid, b.mediaGuid)
        // Without SOURCE_DATE_EPOCH, synthesized files take the newest content time.
        XCTAssertEqual(a.synthesizedTime, Timestamp(seconds: lib.newestTime))
        guard case .file(let label)? = a.tree.node(at: "MediaLabel.txt") else { return XCTFail() }
        XCTAssertEqual(label.modified, Timestamp(seconds: lib.newestTime))
        XCTAssertEqual(a.tree.root.modified, Timestamp(seconds: lib.newestTime))

        let epoch = try lib.compose(Specs.bootable, sourceDateEpoch: 1_700_000_000)
        guard case .file(let timed)? = epoch.tree.node(at: "SMS/data/Variables.dat") else { return XCTFail() }
        XCTAssertEqual(timed.modified, Timestamp(seconds: 1_700_000_000))
        guard case .file(let efi)? = epoch.tree.node(at: "EFI/BOOT/BOOTX64.EFI") else { return XCTFail() }
        XCTAssertNotEqual(efi.modified, Timestamp(seconds: 1_700_000_000), "package files keep their library time")
        XCTAssertNotEqual(epoch.tree.fingerprint, a.tree.fingerprint)
        XCTAssertEqual(epoch.mediaGuid, a.mediaGuid)

        // A different spec or a new package version gives another media GUID.
        let relabelled = try lib.compose(Specs.bootable.replacingOccurrences(of: "label: LAB", with: "label: LAB2"))
        XCTAssertNotEqual(relabelled.mediaGuid, a.mediaGuid)
        try lib.addBootImage()
        let newVersion = try lib.compose(Specs.bootable)
        XCTAssertNotEqual(newVersion.mediaGuid, a.mediaGuid)
        XCTAssertEqual(newVersion.packages.first?.content.contentID, "ABC00001.2")
    }

    /// Names that differ only in case are the image producers' to refuse (FAT,
    /// Joliet): the tree holds both, and a case-insensitive check names both.
    func testCaseCollisionsStayInTheTree() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage(extra: ["sms/readme.txt": [1]])
        let tree = try lib.compose(Specs.bootable).tree
        XCTAssertNotNil(tree.node(at: "sms/readme.txt"))
        XCTAssertNotNil(tree.node(at: "SMS/data/Variables.dat"))
        XCTAssertEqual(NameRules.anyTarget.firstViolation(in: tree, caseInsensitive: true),
                       NameRules.Violation(path: "sms", kind: .caseCollision(first: "SMS")))
        let lib2 = try LibraryFixture()
        try lib2.addBootImage(extra: ["MEDIALABEL.TXT": [1]])
        let tree2 = try lib2.compose(Specs.bootable).tree
        XCTAssertEqual(NameRules.anyTarget.firstViolation(in: tree2, caseInsensitive: true),
                       NameRules.Violation(path: "MediaLabel.txt", kind: .caseCollision(first: "MEDIALABEL.TXT")))
    }

    func testPackageFileReplacedBySynthesizedOneWarns() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage(extra: ["SMS/data/TsmBootstrap.ini": Array("old".utf8)])
        let result = try lib.compose(Specs.bootable)
        XCTAssertEqual(result.warnings, ["spec.yaml: warning: SMS/data/TsmBootstrap.ini: the file from ABC00001.1 is replaced by the one mediafs writes"])
        XCTAssertTrue(LibraryFixture.text(result.tree, "SMS/data/TsmBootstrap.ini").hasPrefix("[MediaInfo]"))
    }

    func testArchitectureFromTheEFILoader() throws {
        let x86Target = Specs.bootable.replacingOccurrences(of: "architecture: x64", with: "architecture: x86")
        let lib = try LibraryFixture()
        try lib.addBootImage()
        XCTAssertEqual(lib.composeError(x86Target),
                       "spec.yaml:7:17: boot.architecture: the boot image ABC00001.1 is x64 (EFI/BOOT/BOOTX64.EFI is PE machine 0x8664), and an x86 computer cannot run it (an x64 computer runs x86 and x64 boot images, an x86 one only x86)")
        // An x64 computer runs an x86 boot image.
        let x86Image = try LibraryFixture()
        try x86Image.addBootImage(machine: 0x014C)
        XCTAssertNoThrow(try x86Image.compose(Specs.bootable))
        XCTAssertNoThrow(try x86Image.compose(x86Target))
        let arm = try LibraryFixture()
        try arm.addBootImage(machine: 0xAA64)
        XCTAssertTrue(arm.composeError(Specs.bootable).contains("the boot image ABC00001.1 is arm64 (EFI/BOOT/BOOTX64.EFI is PE machine 0xAA64), and an x64 computer cannot run it"))
        let odd = try LibraryFixture()
        try odd.addBootImage(machine: 0x01C4)
        XCTAssertEqual(odd.composeError(Specs.bootable),
                       "spec.yaml:6:10: boot.image: ABC00001.1's EFI/BOOT/BOOTX64.EFI is for PE machine 0x01C4, which is not x86 (0x014C), x64 (0x8664) or arm64 (0xAA64)")
        let notPE = try LibraryFixture()
        try notPE.addBootImage(extra: ["EFI/BOOT/BOOTX64.EFI": Array("#!/bin/sh".utf8)])
        XCTAssertEqual(notPE.composeError(Specs.bootable),
                       "spec.yaml:6:10: boot.image: ABC00001.1's EFI/BOOT/BOOTX64.EFI is not an EFI executable: it is 9 bytes, too short for a PE header")
    }

    func testMissingPackagesNameTheField() throws {
        let lib = try LibraryFixture()
        XCTAssertEqual(lib.composeError(Specs.bootable),
                       "spec.yaml:6:10: boot.image: package ABC00001 is not in the library \(lib.library.root)")
        try lib.addBootImage()
        XCTAssertEqual(lib.composeError(Specs.bootable.replacingOccurrences(of: "image: ABC00001", with: "image: ABC00001.4")),
                       "spec.yaml:6:10: boot.image: the library has no ABC00001.4 (it has ABC00001.1)")
        try lib.add("ABC00004", ["ts.xml": Array("<r><reference package=\"ABC00002\"/></r>".utf8)])
        XCTAssertEqual(lib.composeError(Specs.standalone),
                       "spec.yaml:5:16: task-sequence: ABC00004's ts.xml (line 1) references ABC00002, and package ABC00002 is not in the library \(lib.library.root)")
        try lib.add("ABC00002", ["a": [1]])
        XCTAssertEqual(lib.composeError(Specs.standalone),
                       "spec.yaml:6:18: extra-packages[0]: package ABC00006 is not in the library \(lib.library.root)")
        try lib.add("ABC00006", ["a": [1]])
        XCTAssertEqual(lib.composeError(Specs.standalone),
                       "spec.yaml:7:53: prestart.package: package ABC00005 is not in the library \(lib.library.root)")
    }

    func testTaskSequenceXMLProblems() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        try lib.add("ABC00004", ["readme.txt": [1]])
        XCTAssertTrue(lib.composeError(Specs.standalone).hasPrefix("spec.yaml:5:16: task-sequence: ABC00004.1 holds no .xml file"))
        try lib.add("ABC00004", ["ts.XML": Array("<a>\n<b package=\"not-an-id\"/></a>".utf8)])
        XCTAssertEqual(lib.composeError(Specs.standalone),
                       "spec.yaml:5:16: task-sequence: ABC00004.2's ts.XML line 2: package=\"not-an-id\" is not a package ID")
        try lib.add("ABC00004", ["ts.xml": Array("<a>\n\n<b package=\"ABC00002\"</a>".utf8)])
        XCTAssertEqual(lib.composeError(Specs.standalone),
                       "spec.yaml:5:16: task-sequence: ABC00004.3's ts.xml line 3: not well-formed XML: unexpected '<' in a tag")
    }

    func testISOBootFilesMustBeInTheBootImage() throws {
        let lib = try LibraryFixture()
        try lib.addBootImage()
        let iso = Specs.bootable.replacingOccurrences(of: "target: {usb: {size: auto}}", with: "target: iso")
        XCTAssertNoThrow(try lib.compose(iso))
        XCTAssertEqual(lib.composeError(iso.replacingOccurrences(of: "architecture: x64", with: "architecture: x64\n  bios-loader: boot/ETFSBOOT.COM")),
                       "spec.yaml:8:16: boot.bios-loader: boot/ETFSBOOT.COM is not in the boot image ABC00001.1 (it has boot/etfsboot.com: names on the media keep their case)")
        XCTAssertEqual(lib.composeError(iso.replacingOccurrences(of: "architecture: x64", with: "architecture: x64\n  hybrid-mbr: boot/mbr.img")),
                       "spec.yaml:8:15: boot.hybrid-mbr: boot/mbr.img is not in the boot image ABC00001.1")
        // A USB target does not use them.
        XCTAssertNoThrow(try lib.compose(Specs.bootable.replacingOccurrences(of: "architecture: x64", with: "architecture: x64\n  bios-loader: boot/none.com")))
    }

    func testTaskSequenceXMLScanner() throws {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("<a>\r\n<r package=\"ABC00002\"/></a>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertEqual(try TaskSequenceXML.references(in: utf16), [TaskSequenceXML.Reference(package: PackageReference(packageID: "ABC00002"), line: 2)])
        let mixed = Array("<?xml version='1.0'?><!DOCTYPE x><a packages=\"X\" package = \"ABC0000A.2\">text package=\"ZZZ\"</a>".utf8)
        XCTAssertEqual(try TaskSequenceXML.references(in: mixed).map(\.package.description), ["ABC0000A.2"])
        XCTAssertThrowsError(try TaskSequenceXML.references(in: Array("<a b=\"1>".utf8)))
        XCTAssertThrowsError(try TaskSequenceXML.references(in: Array("<!-- open".utf8)))
    }
}
