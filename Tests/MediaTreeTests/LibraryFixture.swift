import ContentLibrary
import Foundation
import MediaSpec
@testable import MediaTree
import MediaData
import XCTest

/// A content library in a temporary folder, filled with `ContentLibrary.addPackage`
/// from plain folders, and specs written beside it.
final class LibraryFixture {
    let folder: String
    let library: ContentLibrary
    /// Files get fixed modification times (2025-01-01 plus one second per file), so trees are reproducible.
    private var clock: TimeInterval = 1_735_689_600

    init() throws {
        folder = NSTemporaryDirectory() + "mediafs-tree-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        library = try ContentLibrary.initialize(at: folder + "/lib")
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Adds a package version from `files` (path → bytes) and `emptyFolders`.
    @discardableResult
    func add(_ id: String, name: String? = nil, _ files: [String: [UInt8]], emptyFolders: [String] = []) throws -> PackageContent {
        let source = folder + "/src-\(id)-\(UUID().uuidString)"
        for path in files.keys.sorted() {
            let full = source + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(files[path] ?? []).write(to: URL(fileURLWithPath: full))
            clock += 1
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: clock)], ofItemAtPath: full)
        }
        for path in emptyFolders {
            try FileManager.default.createDirectory(atPath: source + "/" + path, withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        return try library.addPackage(id, name: name, from: source)
    }

    /// The newest file time given so far, in seconds since 1970.
    var newestTime: Int64 { Int64(clock) }

    func writeSpec(_ text: String, name: String = "spec.yaml") throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func spec(_ text: String) throws -> MediaSpec {
        try SpecParser.parse(Array(text.utf8), path: "spec.yaml", folder: folder)
    }

    func compose(_ text: String, password: String? = nil, certificate: CertificateFacts? = nil,
                 sourceDateEpoch: Int64? = nil, certificateKey: String? = nil) throws -> MediaComposer.Result {
        try MediaComposer(spec: spec(text), snapshot: library.snapshot(),
                          secrets: ResolvedSecrets(password: password, certificateKey: certificateKey),
                          certificate: certificate, sourceDateEpoch: sourceDateEpoch).compose()
    }

    /// The message `compose` fails with, or a test failure.
    func composeError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try compose(text)
            XCTFail("composed, but an error was expected", file: file, line: line)
            return ""
        } catch {
            return String(describing: error)
        }
    }

    /// A minimal PE/COFF image whose header names `machine` (what an EFI loader is).
    static func peImage(machine: UInt16) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 256)
        b[0] = 0x4D; b[1] = 0x5A
        b[0x3C] = 0x80
        b[0x80] = 0x50; b[0x81] = 0x45
        b[0x84] = UInt8(machine & 0xFF); b[0x85] = UInt8(machine >> 8)
        return b
    }

    /// A boot image package: an EFI loader, the BIOS loaders, Configuration Manager binaries, boot.wim.
    @discardableResult
    func addBootImage(_ id: String = "ABC00001", machine: UInt16 = 0x8664, extra: [String: [UInt8]] = [:]) throws -> PackageContent {
        var files: [String: [UInt8]] = [
            "EFI/BOOT/BOOTX64.EFI": LibraryFixture.peImage(machine: machine),
            "boot/etfsboot.com": Array("etfsboot".utf8),
            "boot/boot_hybrid.img": [UInt8](repeating: 0x33, count: 432),
            "SMS/bin/x64/TsmBootstrap.exe": Array("tsm".utf8),
            "SMS/bin/x64/TSMBAutorun.exe": Array("autorun".utf8),
            "sources/boot.wim": [UInt8](repeating: 7, count: 5000),
        ]
        files.merge(extra) { $1 }
        return try add(id, name: "Boot image (x64)", files)
    }

    /// The decrypted text of an encrypted SMS/data file.
    static func decrypted(_ tree: MediaTree, _ path: String, password: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard case .file(let f)? = tree.node(at: path), case .bytes(let s) = f.source else {
            XCTFail("\(path) is not a synthesized file", file: file, line: line)
            return ""
        }
        return try MediaDataText.decode(MediaDataEnvelope.decrypt(s.bytes, password: password, source: path).plaintext, source: path)
    }

    static func text(_ tree: MediaTree, _ path: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        guard case .file(let f)? = tree.node(at: path), case .bytes(let s) = f.source else {
            XCTFail("\(path) is not a synthesized file", file: file, line: line)
            return ""
        }
        return String(decoding: s.bytes, as: UTF8.self)
    }

    static func paths(_ tree: MediaTree) -> [String] {
        var result: [String] = []
        tree.forEachFile { path, _ in result.append(path) }
        return result
    }
}

enum Specs {
    static let bootable = """
        kind: bootable
        library: lib
        label: LAB
        target: {usb: {size: auto}}
        boot:
          image: ABC00001
          architecture: x64
        management:
          site-based:
            management-point: http://mp1.contoso.com:8080
            site-code: ABC
        certificate:
          self-signed: {start: 2026-01-01, expires: 2027-01-01, key: {file: media-key.pem}}

        """

    static let standalone = """
        kind: standalone
        library: lib
        target: {iso: {media-size: dvd}}
        boot: {image: ABC00001, architecture: x64}
        task-sequence: ABC00004
        extra-packages: [ABC00006]
        prestart: {command: "cmd /c prestart.cmd", package: ABC00005}

        """

    static let capture = """
        kind: capture
        library: lib
        label: Capture
        target: iso
        boot: {image: ABC00001, architecture: x64}

        """
}
