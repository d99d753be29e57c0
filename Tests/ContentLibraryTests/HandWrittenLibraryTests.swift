import Foundation
import XCTest
@testable import ContentLibrary

/// A library written literally, file by file, as a distribution point (a Windows
/// machine) would have it: BOM, CRLF, odd case, comments, unknown keys.
final class HandWrittenLibraryTests: XCTestCase {
    private var lib = ""

    override func setUpWithError() throws {
        lib = try makeTemporaryFolder(self) + "/SCCMContentLib"
        try write(lib + "/PkgLib/XYZ0000A.INI", windowsINI([
            "[packages]", "XYZ0000A.1=", "XYZ0000A.2=", "", "; the current one", "[INFO]", "version=1",
            "name = Network drivers", "Unknown=whatever",
        ]))
        try write(lib + "/DataLib/XYZ0000A.1.INI", windowsINI(["[Info]", "Hash=0123456789ABCDEF"]))
        try write(lib + "/DataLib/XYZ0000A.1/Setup.exe.INI", windowsINI([
            "[file]", "size=3", "HASH=\(Vectors.abc.lowercased())", "attributes=0x21",
            "timemodified=132537600000000000", "Extra=ignored",
        ]))
        try write(lib + "/DataLib/XYZ0000A.1/Drivers/net/e1000.inf.INI", windowsINI([
            "# comment", "[FILE]", "Size=56", "Hash=\(Vectors.long)", "Attributes=20", "TimeModified=1",
        ]))
        try write(lib + "/DataLib/XYZ0000A.1/zero.INI", Array("[File]\nSize=0\nHash=\(Vectors.empty)\nAttributes=0\nTimeModified=0\n".utf8))
        try FileManager.default.createDirectory(atPath: lib + "/DataLib/XYZ0000A.1/Drivers/empty", withIntermediateDirectories: true)
        try write(lib + "/DataLib/XYZ0000A.2/a.INI", windowsINI(["[File]", "Size=3", "Hash=\(Vectors.abc)", "Attributes=20", "TimeModified=5"]))
        try write(lib + "/FileLib/BA78/\(Vectors.abc)", "abc")
        try write(lib + "/FileLib/248D/\(Vectors.long)", Vectors.longText)
        try write(lib + "/FileLib/E3B0/\(Vectors.empty)", "")
    }

    private func load(_ reference: String = "XYZ0000A") throws -> PackageContent {
        try ContentLibrary(root: lib).snapshot().package(reference)
    }

    func testAHandWrittenLibraryIsReadBack() throws {
        let snapshot = try ContentLibrary(root: lib).snapshot()
        XCTAssertEqual(snapshot.packageIDs, ["XYZ0000A"])
        XCTAssertEqual(snapshot.versions(of: "XYZ0000A"), [1, 2])
        let content = try snapshot.package("XYZ0000A")
        XCTAssertEqual(content.contentID, "XYZ0000A.1", "[Info] Version=1 is honoured over the highest")
        XCTAssertEqual(content.name, "Network drivers")
        XCTAssertEqual(content.files.map(\.path), ["Drivers/net/e1000.inf", "Setup.exe", "zero"])
        XCTAssertEqual(content.folders, ["Drivers", "Drivers/empty", "Drivers/net"])
        let setup = content.files[1]
        XCTAssertEqual(setup.size, 3)
        XCTAssertEqual(setup.hash, Vectors.abc, "upper case")
        XCTAssertEqual(setup.attributes, 0x21)
        XCTAssertEqual(setup.timeModified, 132_537_600_000_000_000)
        XCTAssertEqual(setup.blobPath, lib + "/FileLib/BA78/" + Vectors.abc)
        XCTAssertEqual(content.files[0].attributes, 0x20)
        XCTAssertEqual(try snapshot.package("XYZ0000A.2").files.map(\.path), ["a"])
        XCTAssertEqual(FileTime.toUnix(132_537_600_000_000_000).seconds, 1_609_286_400)
    }

    func testWithoutInfoVersionTheHighestIsCurrent() throws {
        try write(lib + "/PkgLib/XYZ0000A.INI", "[Packages]\nXYZ0000A.2=\nXYZ0000A.1=\n")
        XCTAssertEqual(try load().version, 2)
    }

    func testAnAddToAHandWrittenLibraryKeepsItsVersions() throws {
        let source = try makeTemporaryFolder(self)
        try write(source + "/new.txt", "abc")
        let library = try ContentLibrary(root: lib)
        XCTAssertEqual(try library.addPackage("XYZ0000A", name: nil, from: source).contentID, "XYZ0000A.3")
        let snapshot = try library.snapshot()
        XCTAssertEqual(snapshot.versions(of: "XYZ0000A"), [1, 2, 3])
        XCTAssertEqual(snapshot.name(of: "XYZ0000A"), "Network drivers")
        XCTAssertEqual(try snapshot.package("XYZ0000A").version, 3)
        XCTAssertTrue(try read(lib + "/PkgLib/XYZ0000A.INI").contains("Unknown=whatever"), "unknown keys are kept")
    }

    // MARK: refusals, each naming the path at fault

    func testBadNamesInDataLib() throws {
        let d = lib + "/DataLib/XYZ0000A.1"
        for (bad, words) in [("back\\slash.INI", "'\\'"), ("bell\u{7}.INI", "control character"), (".INI", "empty"),
                             ("..INI", "not a file name"), ("c1\u{85}.INI", "control character")] {
            try write(d + "/Drivers/" + bad, windowsINI(["[File]", "Size=3", "Hash=\(Vectors.abc)", "Attributes=20", "TimeModified=1"]))
            assertRefused(try load(), naming: d + "/Drivers/" + bad, words)
            try FileManager.default.removeItem(atPath: d + "/Drivers/" + bad)
        }
        try FileManager.default.createDirectory(atPath: d + "/a\\b", withIntermediateDirectories: true)
        assertRefused(try load(), naming: d + "/a\\b", "'\\'")
    }

    func testAFileINIThatDoesNotParse() throws {
        let ini = lib + "/DataLib/XYZ0000A.1/Setup.exe.INI"
        try write(ini, windowsINI(["[File", "Size=3"]))
        assertRefused(try load(), naming: ini + ":1:", "does not parse")
        try write(ini, [0x5B, 0x46, 0x5D, 0x0A, 0x4B, 0x3D, 0xFF, 0x0A])
        assertRefused(try load(), naming: ini + ":2:", "UTF-8")
    }

    func testMissingFileKeys() throws {
        let ini = lib + "/DataLib/XYZ0000A.1/Setup.exe.INI"
        try write(ini, windowsINI(["[File]", "Size=3", "Hash=\(Vectors.abc)", "Attributes=20"]))
        assertRefused(try load(), naming: ini, "missing key 'TimeModified'")
        try write(ini, windowsINI(["[Other]", "Size=3"]))
        assertRefused(try load(), naming: ini, "[File]")
    }

    func testBadValues() throws {
        let ini = lib + "/DataLib/XYZ0000A.1/Setup.exe.INI"
        let cases: [([String], String)] = [
            (["Size=3", "Hash=\(Vectors.abc.dropLast())", "Attributes=20", "TimeModified=1"], "64 hex digits"),
            (["Size=3", "Hash=\(Vectors.abc.dropLast())Z", "Attributes=20", "TimeModified=1"], "64 hex digits"),
            (["Size=three", "Hash=\(Vectors.abc)", "Attributes=20", "TimeModified=1"], "byte count"),
            (["Size=3", "Hash=\(Vectors.abc)", "Attributes=XX", "TimeModified=1"], "hexadecimal"),
            (["Size=3", "Hash=\(Vectors.abc)", "Attributes=20", "TimeModified=-1"], "FILETIME"),
        ]
        for (keys, words) in cases {
            try write(ini, windowsINI(["[File]"] + keys))
            assertRefused(try load(), naming: ini, words)
        }
    }

    func testSizeThatDisagreesWithTheBlobAndAMissingBlob() throws {
        let ini = lib + "/DataLib/XYZ0000A.1/Setup.exe.INI"
        let blob = lib + "/FileLib/BA78/" + Vectors.abc
        try write(ini, windowsINI(["[File]", "Size=4", "Hash=\(Vectors.abc)", "Attributes=20", "TimeModified=1"]))
        assertRefused(try load(), naming: ini, "Size=4 but the blob \(blob) holds 3 bytes")
        try write(ini, windowsINI(["[File]", "Size=3", "Hash=\(Vectors.abc)", "Attributes=20", "TimeModified=1"]))
        try FileManager.default.removeItem(atPath: blob)
        assertRefused(try load(), naming: blob, "missing")
    }

    func testBadPackageIDsAndContentIDs() throws {
        let good = try read(lib + "/PkgLib/XYZ0000A.INI")
        for bad in ["xyz0000a", "XYZ0000", "XYZ0000G", "XY_0000A"] {
            try write(lib + "/PkgLib/\(bad).INI", good)
            // A broken PkgLib entry breaks only itself: listed, and the good package still loads.
            let snapshot = try ContentLibrary(root: lib).snapshot()
            XCTAssertEqual(snapshot.brokenPackages.map(\.reference), [bad])
            XCTAssertTrue(snapshot.brokenPackages.first?.error.description.hasPrefix(lib + "/PkgLib/\(bad).INI: ") ?? false)
            XCTAssertTrue(snapshot.brokenPackages.first?.error.description.contains("not a package ID") ?? false)
            XCTAssertNoThrow(try snapshot.package("XYZ0000A"))
            try FileManager.default.removeItem(atPath: lib + "/PkgLib/\(bad).INI")
        }
        let index = lib + "/PkgLib/XYZ0000A.INI"
        for (text, words) in [("[Packages]\nABC00001.1=\n", "not a content ID of package XYZ0000A"),
                              ("[Packages]\nXYZ0000A.01=\n", "not a content ID"),
                              ("[Packages]\nXYZ0000A=\n", "not a content ID"),
                              ("[Packages]\nXYZ0000A.1=\n[Info]\nVersion=5\n", "names no version"),
                              ("[Info]\nVersion=1\n", "missing key")] {
            try write(index, text)
            let snapshot = try ContentLibrary(root: lib).snapshot()
            XCTAssertEqual(snapshot.brokenPackages.map(\.reference), ["XYZ0000A"])
            XCTAssertEqual(snapshot.packageIDs, [])
            assertRefused(try snapshot.package("XYZ0000A"), naming: index, words)
        }
        try write(index, good)
        let snapshot = try ContentLibrary(root: lib).snapshot()
        assertRefused(try snapshot.package("XYZ0000A.3"), naming: index, "no such version")
        assertRefused(try snapshot.package("XYZ0000A.03"), naming: lib, "not a package reference")
        assertRefused(try snapshot.package("ABC00001"), naming: lib + "/PkgLib", "no such package")
        assertRefused(try snapshot.package("abc00001"), naming: lib, "not a package ID")
    }

    func testDataLibStructureProblems() throws {
        let d = lib + "/DataLib/XYZ0000A.1"
        try write(d + "/readme.txt", "x")
        assertRefused(try load(), naming: d + "/readme.txt", "per-file INI")
        try FileManager.default.removeItem(atPath: d + "/readme.txt")

        try FileManager.default.createSymbolicLink(atPath: d + "/link.INI", withDestinationPath: "Setup.exe.INI")
        assertRefused(try load(), naming: d + "/link.INI", "symbolic link")
        try FileManager.default.removeItem(atPath: d + "/link.INI")

        try write(d + "/setup.exe.ini", try read(d + "/Setup.exe.INI"))
        try FileManager.default.moveItem(atPath: d + "/setup.exe.ini", toPath: d + "/Setup.exe.ini")
        assertRefused(try load(), naming: d + "/Setup.exe", "two per-file INI")
        try FileManager.default.removeItem(atPath: d + "/Setup.exe.ini")

        try FileManager.default.createDirectory(atPath: d + "/Setup.exe", withIntermediateDirectories: true)
        assertRefused(try load(), naming: d + "/Setup.exe", "both a file")
        try FileManager.default.removeItem(atPath: d + "/Setup.exe")

        try write(d + ".INI", "garbage\n")
        assertRefused(try load(), naming: d + ".INI:1:", "does not parse")
        try FileManager.default.removeItem(atPath: d + ".INI")

        try FileManager.default.removeItem(atPath: d)
        assertRefused(try load(), naming: d, "DataLib has no folder for it")
    }
}
