import Foundation
import XCTest
@testable import ContentLibrary

final class ContentLibraryWriteTests: XCTestCase {
    /// A source folder: two files with the same bytes, a read-only file, an empty file,
    /// an empty folder, nested folders.
    private func makeSource(_ base: String) throws -> String {
        let source = base + "/source"
        try write(source + "/sources/boot.wim", Vectors.longText)
        try write(source + "/boot/bcd", "abc")
        try write(source + "/EFI/BOOT/BOOTX64.EFI", "abc")
        try write(source + "/readonly.txt", "")
        try FileManager.default.createDirectory(atPath: source + "/empty/inner", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: source + "/readonly.txt")
        for file in ["sources/boot.wim", "boot/bcd", "EFI/BOOT/BOOTX64.EFI", "readonly.txt"] {
            try setModified(source + "/" + file, unixSeconds: 1_700_000_000)
        }
        return source
    }

    func testAddedPackageHasTheReferenceLayout() throws {
        let base = try makeTemporaryFolder(self)
        let lib = base + "/SCCMContentLib"
        let library = try ContentLibrary.initialize(at: lib)
        for folder in ["PkgLib", "DataLib", "FileLib"] { XCTAssertTrue(exists(lib + "/" + folder)) }
        let content = try library.addPackage("ABC00001", name: "Boot image (x64)", from: try makeSource(base))

        XCTAssertEqual(content.contentID, "ABC00001.1")
        XCTAssertEqual(content.files.map(\.path), ["EFI/BOOT/BOOTX64.EFI", "boot/bcd", "readonly.txt", "sources/boot.wim"])
        XCTAssertEqual(content.folders, ["EFI", "EFI/BOOT", "boot", "empty", "empty/inner", "sources"])

        // PkgLib last: [Packages] content IDs, [Info] Version and Name.
        let pkg = try INIFile(parsing: Array(try read(lib + "/PkgLib/ABC00001.INI").utf8), path: "PkgLib")
        XCTAssertEqual(pkg.section("Packages")?.entries.map(\.key), ["ABC00001.1"])
        XCTAssertEqual(pkg.value("Version", in: "Info"), "1")
        XCTAssertEqual(pkg.value("Name", in: "Info"), "Boot image (x64)")

        // DataLib: content INI, real folders (empty ones too), per-file INI with the four keys.
        let contentINI = try read(lib + "/DataLib/ABC00001.1.INI")
        XCTAssertTrue(contentINI.hasPrefix("[Info]\r\nHash="), contentINI)
        XCTAssertTrue(FileSystemProbe.isDirectory(lib + "/DataLib/ABC00001.1/empty/inner"))
        XCTAssertEqual(try read(lib + "/DataLib/ABC00001.1/sources/boot.wim.INI"),
                       "[File]\r\nSize=56\r\nHash=\(Vectors.long)\r\nAttributes=20\r\nTimeModified=\(UInt64(1_700_000_000 + 11_644_473_600) * 10_000_000)\r\n")
        let readonly = try read(lib + "/DataLib/ABC00001.1/readonly.txt.INI")
        XCTAssertTrue(readonly.contains("Hash=\(Vectors.empty)\r\n") && readonly.contains("Attributes=1\r\n"), readonly)

        // FileLib: each blob once under its upper-case SHA-256, with its users listed beside it.
        XCTAssertEqual(try read(lib + "/FileLib/BA78/\(Vectors.abc)"), "abc")
        XCTAssertEqual(try read(lib + "/FileLib/248D/\(Vectors.long)"), Vectors.longText)
        XCTAssertTrue(exists(lib + "/FileLib/E3B0/\(Vectors.empty)"))
        XCTAssertEqual(try read(lib + "/FileLib/BA78/\(Vectors.abc).INI"), "[Packages]\r\nABC00001.1=\r\n")
        let blobFolders = try FileManager.default.contentsOfDirectory(atPath: lib + "/FileLib").sorted()
        XCTAssertEqual(blobFolders, ["248D", "BA78", "E3B0"], "no temporaries left behind")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: lib + "/DataLib").sorted(),
                       ["ABC00001.1", "ABC00001.1.INI"])

        // Read back through a snapshot: the same content.
        let snapshot = try library.snapshot()
        XCTAssertEqual(snapshot.packageIDs, ["ABC00001"])
        let loaded = try snapshot.package("ABC00001")
        XCTAssertEqual(loaded.files, content.files)
        XCTAssertEqual(loaded.folders, content.folders)
        XCTAssertEqual(loaded.name, "Boot image (x64)")
        XCTAssertEqual(loaded.files.first?.blobPath, library.root + "/FileLib/BA78/" + Vectors.abc)
        XCTAssertTrue(try library.verify().isClean)
    }

    func testAddIsDeterministic() throws {
        let base = try makeTemporaryFolder(self)
        let source = try makeSource(base)
        var trees: [[String: String]] = []
        for n in 1...2 {
            let lib = base + "/lib\(n)"
            _ = try ContentLibrary.initialize(at: lib).addPackage("ABC00001", name: nil, from: source)
            var tree: [String: String] = [:]
            let walker = FileManager.default.enumerator(atPath: lib)
            while let relative = walker?.nextObject() as? String {
                var isFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: lib + "/" + relative, isDirectory: &isFolder)
                tree[relative] = isFolder.boolValue ? "/" : try read(lib + "/" + relative)
            }
            trees.append(tree)
        }
        XCTAssertEqual(trees[0], trees[1])
    }

    func testSecondAddMakesVersion2AndAnOlderSnapshotKeepsVersion1() throws {
        let base = try makeTemporaryFolder(self)
        let library = try ContentLibrary.initialize(at: base + "/lib")
        let source = try makeSource(base)
        _ = try library.addPackage("ABC00001", name: "Drivers", from: source)
        let before = try library.snapshot()

        try write(source + "/boot/bcd", "changed")
        let second = try library.addPackage("ABC00001", name: nil, from: source)
        XCTAssertEqual(second.contentID, "ABC00001.2")
        XCTAssertEqual(second.name, "Drivers", "the name is kept when not given again")

        XCTAssertEqual(before.versions(of: "ABC00001"), [1])
        XCTAssertEqual(try before.package("ABC00001").version, 1)
        XCTAssertEqual(try before.package("ABC00001").files.first(where: { $0.path == "boot/bcd" })?.hash, Vectors.abc)
        assertRefused(try before.package("ABC00001.2"), naming: "PkgLib/ABC00001.INI", "no such version")

        let after = try library.snapshot()
        XCTAssertNotEqual(before.generation, after.generation)
        XCTAssertEqual(after.generation, try library.snapshot().generation, "same PkgLib, same generation")
        XCTAssertEqual(after.versions(of: "ABC00001"), [1, 2])
        XCTAssertEqual(try after.package("ABC00001").version, 2)
        XCTAssertEqual(try after.package("ABC00001.1").contentID, "ABC00001.1")
        XCTAssertNotEqual(try after.package("ABC00001").files.first(where: { $0.path == "boot/bcd" })?.hash, Vectors.abc)
        // A blob both versions use lists both.
        XCTAssertEqual(try read(library.root + "/FileLib/248D/\(Vectors.long).INI"), "[Packages]\r\nABC00001.1=\r\nABC00001.2=\r\n")
    }

    func testAddRefusesBadEntriesAndLeavesNoVersionBehind() throws {
        let base = try makeTemporaryFolder(self)
        let library = try ContentLibrary.initialize(at: base + "/lib")
        let source = try makeSource(base)
        try FileManager.default.createSymbolicLink(atPath: source + "/boot/link", withDestinationPath: "bcd")
        assertRefused(try library.addPackage("ABC00001", name: nil, from: source), naming: source + "/boot/link", "symbolic link")
        try FileManager.default.removeItem(atPath: source + "/boot/link")

        try write(source + "/boot/back\\slash", "x")
        assertRefused(try library.addPackage("ABC00001", name: nil, from: source), naming: "boot/back\\slash", "'\\'")
        try FileManager.default.removeItem(atPath: source + "/boot/back\\slash")

        try write(source + "/boot/tab\there", "x")
        assertRefused(try library.addPackage("ABC00001", name: nil, from: source), naming: "boot/tab\there", "control character")
        try FileManager.default.removeItem(atPath: source + "/boot/tab\there")

        try FileManager.default.createDirectory(atPath: source + "/boot/bcd.INI", withIntermediateDirectories: true)
        assertRefused(try library.addPackage("ABC00001", name: nil, from: source), naming: "boot/bcd.INI", "per-file INI")
        try FileManager.default.removeItem(atPath: source + "/boot/bcd.INI")

        // 84 CJK characters: 252 bytes, a legal name here, but "<name>.INI" would be 256.
        let long = String(repeating: "日", count: 84)
        try write(source + "/boot/" + long, "x")
        assertRefused(try library.addPackage("ABC00001", name: nil, from: source), naming: "boot/" + long, "252 bytes of UTF-8")
        try FileManager.default.removeItem(atPath: source + "/boot/" + long)
        let longest = String(repeating: "日", count: 83) + "ab"  // 251 bytes: taken
        try write(source + "/boot/" + longest, "x")

        assertRefused(try library.addPackage("abc00001", name: nil, from: source), naming: "PkgLib/abc00001.INI", "not a package ID")
        assertRefused(try library.addPackage("ABC0000G", name: nil, from: source), naming: "ABC0000G", "not a package ID")
        assertRefused(try library.addPackage("ABC00001", name: "two\nlines", from: source), naming: "PkgLib/ABC00001.INI", "control")
        assertRefused(try library.addPackage("ABC00001", name: nil, from: base + "/nowhere"), naming: base + "/nowhere")

        for folder in ["PkgLib", "DataLib", "FileLib"] {
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: library.root + "/" + folder), [], folder)
        }
        XCTAssertEqual(try library.addPackage("ABC00001", name: nil, from: source).contentID, "ABC00001.1")
    }

    func testALeftoverDataLibVersionIsNeverReused() throws {
        let base = try makeTemporaryFolder(self)
        let library = try ContentLibrary.initialize(at: base + "/lib")
        let source = try makeSource(base)
        // A writer that crashed after DataLib, before PkgLib.
        try FileManager.default.createDirectory(atPath: library.root + "/DataLib/ABC00001.1", withIntermediateDirectories: true)
        XCTAssertEqual(try library.addPackage("ABC00001", name: nil, from: source).contentID, "ABC00001.2")
        XCTAssertEqual(try library.snapshot().versions(of: "ABC00001"), [2])
    }

    func testInitRefusesAFolderHoldingSomethingElse() throws {
        let base = try makeTemporaryFolder(self)
        try write(base + "/notes.txt", "x")
        assertRefused(try ContentLibrary.initialize(at: base), naming: base, "not empty")
        assertRefused(try ContentLibrary(root: base), naming: base, "no PkgLib")
        _ = try ContentLibrary.initialize(at: base + "/lib")
        _ = try ContentLibrary.initialize(at: base + "/lib")   // an existing library is fine
    }
}

final class ContentLibraryVerifyTests: XCTestCase {
    func testVerifyFindsACorruptedAndADeletedBlob() throws {
        let base = try makeTemporaryFolder(self)
        let library = try ContentLibrary.initialize(at: base + "/lib")
        try write(base + "/src/a.txt", "abc")
        try write(base + "/src/b.txt", Vectors.longText)
        try write(base + "/src/c.txt", "")
        _ = try library.addPackage("ABC00001", name: nil, from: base + "/src")
        _ = try library.addPackage("ABC00001", name: nil, from: base + "/src")
        let clean = try library.verify()
        XCTAssertTrue(clean.isClean)
        XCTAssertEqual(clean.blobsChecked, 3)
        XCTAssertEqual(clean.bytesChecked, 59)

        let corrupted = library.root + "/FileLib/BA78/" + Vectors.abc
        try write(corrupted, "abd")                        // same size: only the hash can tell
        let deleted = library.root + "/FileLib/248D/" + Vectors.long
        try FileManager.default.removeItem(atPath: deleted)

        let report = try library.verify()
        XCTAssertFalse(report.isClean)
        XCTAssertEqual(report.mismatched.map(\.blobPath), [corrupted])
        XCTAssertEqual(report.mismatched.first?.contentIDs, ["ABC00001.1", "ABC00001.2"])
        XCTAssertEqual(report.missing.map(\.blobPath), [deleted])
        XCTAssertEqual(report.missing.first?.contentIDs, ["ABC00001.1", "ABC00001.2"])
        // Loading refuses the package whose blob is gone, naming both.
        assertRefused(try library.snapshot().package("ABC00001"), naming: deleted, "missing")
    }
}

/// Folder checks without going through the code under test.
enum FileSystemProbe {
    static func isDirectory(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
