import Foundation
import SystemIO
import XCTest
@testable import ContentLibrary

/// No path inside a library leads outside it (issue 13): blobs, INI files and
/// DataLib folders replaced by symbolic links are refused, naming them, through
/// openat2 and through the component walk that stands in for it on old kernels.
/// And one broken package breaks only itself.
final class ContainmentTests: XCTestCase {
    private var lib = ""
    private var outside = ""
    private let setupINI = windowsINI(["[File]", "Size=3", "Hash=\(Vectors.abc)", "Attributes=20", "TimeModified=1"])

    override func setUpWithError() throws {
        let base = try makeTemporaryFolder(self)
        lib = base + "/SCCMContentLib"
        outside = base + "/outside"
        try write(lib + "/PkgLib/XYZ0000A.INI", "[Packages]\nXYZ0000A.1=\n")
        try write(lib + "/DataLib/XYZ0000A.1/Setup.exe.INI", setupINI)
        try write(lib + "/FileLib/BA78/\(Vectors.abc)", "abc")
        // Bytes of the same size outside the library: what a leak would serve.
        try write(outside + "/secret", "XYZ")
        try write(outside + "/BA78/\(Vectors.abc)", "XYZ")
        try write(outside + "/XYZ0000A.1/Setup.exe.INI", setupINI)
        addTeardownBlock { Beneath.forceComponentWalk(false) }
    }

    private var blob: String { lib + "/FileLib/BA78/" + Vectors.abc }

    /// Runs `body` through openat2, then through the walk.
    private func bothWays(_ body: () throws -> Void) rethrows {
        for walk in [false, true] {
            Beneath.forceComponentWalk(walk)
            try body()
        }
        Beneath.forceComponentWalk(false)
    }

    private func assertOutside<T>(_ body: @autoclosure () throws -> T, naming path: String, _ words: String = "leads outside the library",
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(path), "'\(message)' does not name \(path)", file: file, line: line)
            XCTAssertTrue(message.contains(words), "'\(message)' does not say '\(words)'", file: file, line: line)
        }
    }

    func testABlobLinkedOutsideIsRefused() throws {
        try FileManager.default.removeItem(atPath: blob)
        try FileManager.default.createSymbolicLink(atPath: blob, withDestinationPath: outside + "/secret")
        try bothWays {
            // Loading a package checks its blobs (tree, export): refused, naming the blob.
            assertOutside(try ContentLibrary(root: lib).snapshot().package("XYZ0000A"), naming: blob)
            // A mount loads without the check; opening the blob is refused.
            let content = try ContentLibrary(root: lib).snapshot(checkBlobSizes: false).package("XYZ0000A")
            assertOutside(try OpenFile(path: content.files[0].blobPath, beneath: lib), naming: blob)
        }
    }

    func testALinkedFileLibFolderIsRefused() throws {
        try FileManager.default.removeItem(atPath: lib + "/FileLib/BA78")
        try FileManager.default.createSymbolicLink(atPath: lib + "/FileLib/BA78", withDestinationPath: outside + "/BA78")
        try bothWays {
            assertOutside(try ContentLibrary(root: lib).snapshot().package("XYZ0000A"), naming: blob)
            assertOutside(try OpenFile(path: blob, beneath: lib), naming: blob)
        }
    }

    /// The one-stat blob check trusts only `FileLib/<4>` folders a listing saw as
    /// real folders; a linked one is left to the slow check (which refuses it).
    func testFileLibListingKnowsOnlyRealFolders() throws {
        let abc = try XCTUnwrap(SHA256Digest(hex: Vectors.abc))
        XCTAssertTrue(FileLibFolders.list(root: lib).contains(abc))
        XCTAssertFalse(FileLibFolders.none.contains(abc))
        XCTAssertEqual(FileLibFolders.prefixValue("BA78"), 0xBA78)
        XCTAssertNil(FileLibFolders.prefixValue("ba78"))
        XCTAssertNil(FileLibFolders.prefixValue("BA7"))
        try FileManager.default.removeItem(atPath: lib + "/FileLib/BA78")
        try FileManager.default.createSymbolicLink(atPath: lib + "/FileLib/BA78", withDestinationPath: outside + "/BA78")
        XCTAssertFalse(FileLibFolders.list(root: lib).contains(abc))
    }

    func testALinkedDataLibFolderIsRefused() throws {
        let folder = lib + "/DataLib/XYZ0000A.1"
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: outside + "/XYZ0000A.1")
        try bothWays {
            assertOutside(try ContentLibrary(root: lib).snapshot(checkBlobSizes: false).package("XYZ0000A"), naming: folder)
        }
    }

    func testALinkedPkgLibFileBreaksOnlyItsPackage() throws {
        try write(outside + "/ABC00001.INI", "[Packages]\nABC00001.1=\n")
        try FileManager.default.createSymbolicLink(atPath: lib + "/PkgLib/ABC00001.INI", withDestinationPath: outside + "/ABC00001.INI")
        try bothWays {
            let snapshot = try ContentLibrary(root: lib).snapshot()
            XCTAssertEqual(snapshot.packageIDs, ["XYZ0000A"])
            XCTAssertEqual(snapshot.brokenPackages.map(\.reference), ["ABC00001"])
            XCTAssertNoThrow(try snapshot.package("XYZ0000A"))
            assertOutside(try snapshot.package("ABC00001"), naming: lib + "/PkgLib/ABC00001.INI")
        }
    }

    func testALinkThatStaysInsideIsRefusedToo() throws {
        try FileManager.default.moveItem(atPath: blob, toPath: lib + "/FileLib/BA78/elsewhere")
        try FileManager.default.createSymbolicLink(atPath: blob, withDestinationPath: "elsewhere")
        try bothWays {
            assertOutside(try OpenFile(path: blob, beneath: lib), naming: blob, "stays inside the library")
        }
    }

    func testDotDotDoesNotClimbOutAndAFIFOIsNoBlob() throws {
        let fileLib = try OpenDirectory(path: lib + "/FileLib", beneath: lib)
        try bothWays {
            assertOutside(try fileLib.openFile("../../outside/secret"), naming: "../../outside/secret")
            assertOutside(try OpenFile(path: lib + "/../outside/secret", beneath: lib), naming: "outside/secret")
        }
        try FileManager.default.removeItem(atPath: blob)
        XCTAssertEqual(mkfifo(blob, 0o644), 0)
        try bothWays {
            // O_NONBLOCK: the open does not wait for a writer; the FIFO is refused.
            assertOutside(try OpenFile(path: blob, beneath: lib), naming: blob, "not a regular file")
            assertOutside(try ContentLibrary(root: lib).snapshot().package("XYZ0000A"), naming: blob, "not a regular file")
        }
    }

    /// A per-file INI is read without an fstat (the listing vouched for it): one
    /// swapped since for a FIFO or a folder fails the read, naming it, without
    /// waiting; one longer than the limit is not read to its end.
    func testPerFileINIReadRefusesWhatIsNoRegularFile() throws {
        let folder = try OpenDirectory(path: lib + "/DataLib/XYZ0000A.1", beneath: lib)
        var buffer = [UInt8](repeating: 0, count: 16)
        XCTAssertEqual(try folder.readFile("Setup.exe.INI", into: &buffer), setupINI.count)
        XCTAssertEqual(mkfifo(lib + "/DataLib/XYZ0000A.1/pipe.INI", 0o644), 0)
        try FileManager.default.createDirectory(atPath: lib + "/DataLib/XYZ0000A.1/dir.INI", withIntermediateDirectories: false)
        for name in ["pipe.INI", "dir.INI"] {
            XCTAssertThrowsError(try folder.readFile(name, into: &buffer)) { error in
                XCTAssertTrue("\(error)".contains(name) && "\(error)".contains("is not a regular file"), "\(error)")
            }
        }
        XCTAssertThrowsError(try folder.readFile("Setup.exe.INI", into: &buffer, limit: 8)) { error in
            XCTAssertTrue("\(error)".contains("Setup.exe.INI") && "\(error)".contains("longer than 8 bytes"), "\(error)")
        }
    }

    func testTheRealFileStillReads() throws {
        try bothWays {
            XCTAssertEqual(try OpenFile(path: blob, beneath: lib).readAll(), Array("abc".utf8))
            XCTAssertEqual(try ContentLibrary(root: lib).snapshot().package("XYZ0000A").files.map(\.path), ["Setup.exe"])
        }
    }

    func testVerifyListsRefusedBlobsAndBrokenPackages() throws {
        try FileManager.default.removeItem(atPath: blob)
        try FileManager.default.createSymbolicLink(atPath: blob, withDestinationPath: outside + "/secret")
        try write(lib + "/PkgLib/BAD00001.INI", "[Packages\n")
        try write(lib + "/PkgLib/BAD00002.INI", "[Packages]\nBAD00002.1=\n")
        try write(lib + "/DataLib/BAD00002.1/x.INI", "[File]\nSize=nope\n")
        let report = try ContentLibrary(root: lib).verify()
        XCTAssertFalse(report.isClean)
        XCTAssertEqual(report.refused.map(\.blobPath), [blob])
        XCTAssertEqual(report.refused.first?.reason, "leads outside the library (symbolic link)")
        XCTAssertEqual(report.missing.map(\.blobPath), [])
        XCTAssertEqual(report.brokenPackages.map(\.reference), ["BAD00001", "BAD00002.1"])
        XCTAssertTrue(report.brokenPackages[0].error.description.hasPrefix(lib + "/PkgLib/BAD00001.INI:1:"))
        XCTAssertTrue(report.brokenPackages[1].error.description.hasPrefix(lib + "/DataLib/BAD00002.1/x.INI"))
    }

    func testVerifyListsBlobsBehindALinkedFolder() throws {
        try FileManager.default.removeItem(atPath: lib + "/FileLib/BA78")
        try FileManager.default.createSymbolicLink(atPath: lib + "/FileLib/BA78", withDestinationPath: outside + "/BA78")
        let report = try ContentLibrary(root: lib).verify()
        XCTAssertEqual(report.refused.map(\.blobPath), [blob])
        XCTAssertEqual(report.refused.first?.contentIDs, ["XYZ0000A.1"])
        XCTAssertEqual(report.missing.count, 0)
    }

    func testAddDoesNotWriteThroughALinkedFolder() throws {
        try FileManager.default.removeItem(atPath: lib + "/FileLib/BA78")
        try FileManager.default.createSymbolicLink(atPath: lib + "/FileLib/BA78", withDestinationPath: outside + "/BA78")
        let source = try makeTemporaryFolder(self)
        try write(source + "/again.txt", "abc")
        assertOutside(try ContentLibrary(root: lib).addPackage("XYZ0000A", name: nil, from: source), naming: blob)
        XCTAssertEqual(try read(outside + "/BA78/" + Vectors.abc), "XYZ", "the outside file is untouched")
        XCTAssertFalse(exists(outside + "/BA78/" + Vectors.abc + ".INI"), "nothing written outside")
        XCTAssertEqual(try ContentLibrary(root: lib).snapshot().versions(of: "XYZ0000A"), [1], "no version published")
    }
}
