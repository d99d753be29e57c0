import Foundation
import XCTest
@testable import ContentLibrary

/// The fast paths of loading a package: the in-place scan of per-file INIs
/// must read exactly what `INIFile` reads (and refuse exactly what it refuses,
/// with the same message), and reading on several threads must give the same
/// files in the same order, and the same first error, as reading on one.
final class DataLibLoadingTests: XCTestCase {
    // MARK: FileINI: the scan against INIFile

    /// What the general parser makes of a per-file INI (the reference): the four values, or the error.
    private func reference(_ bytes: [UInt8], path: String) -> Result<FileINI, ContentLibraryError> {
        do {
            let ini = try INIFile(parsing: bytes, path: path)
            guard let section = ini.section("File") else { throw ContentLibraryError.missingKey(path: path, section: "File", key: "Size") }
            func value(_ key: String) throws -> String {
                guard let v = section.value(key) else { throw ContentLibraryError.missingKey(path: path, section: "File", key: key) }
                return v
            }
            let sizeText = try value("Size")
            guard let size = UInt64(sizeText) else { throw ContentLibraryError.invalidValue(path: path, key: "Size", value: sizeText, reason: "is not a byte count (decimal)") }
            let hashText = try value("Hash")
            guard let hash = SHA256Digest(hex: hashText) else { throw ContentLibraryError.invalidValue(path: path, key: "Hash", value: hashText, reason: "is not a SHA-256 hash (64 hex digits)") }
            let attributesText = try value("Attributes")
            var digits = Substring(attributesText)
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
            guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit), let attributes = UInt32(digits, radix: 16) else {
                throw ContentLibraryError.invalidValue(path: path, key: "Attributes", value: attributesText, reason: "is not a hexadecimal number of at most 32 bits")
            }
            let timeText = try value("TimeModified")
            guard let time = UInt64(timeText) else { throw ContentLibraryError.invalidValue(path: path, key: "TimeModified", value: timeText, reason: "is not a FILETIME (decimal 100 ns ticks since 1601)") }
            return .success(FileINI(size: size, hash: hash, attributes: attributes, timeModified: time))
        } catch let error as ContentLibraryError {
            return .failure(error)
        } catch {
            XCTFail("\(error)")
            return .failure(.conflict(path: path, reason: "unexpected"))
        }
    }

    private func scanned(_ bytes: [UInt8], path: String) -> Result<FileINI, ContentLibraryError> {
        do {
            return .success(try bytes.withUnsafeBufferPointer { try FileINI(parsing: $0, path: path) })
        } catch let error as ContentLibraryError {
            return .failure(error)
        } catch {
            XCTFail("\(error)")
            return .failure(.conflict(path: path, reason: "unexpected"))
        }
    }

    func testTheScanReadsWhatINIFileReads() {
        let h = Vectors.abc
        let texts: [String] = [
            "[File]\nSize=3\nHash=\(h)\nAttributes=20\nTimeModified=1\n",
            "\u{FEFF}[File]\r\nSize=3\r\nHash=\(h)\r\nAttributes=0x21\r\nTimeModified=132537600000000000\r\n",
            "; comment\n# other\n\n  [ fIlE ]  \n  size =  3 \t\nHASH=\(h.lowercased())\nattributes=0X20\ntimemodified=0",
            "[File]\nSize=3\nSize=4\nHash=\(h)\nAttributes=20\nTimeModified=1\n",            // the first counts
            "[File]\nSize=3\n[Other]\nHash=0\n[file]\nHash=\(h)\nAttributes=20\nTimeModified=1\n", // sections merge
            "[Other]\nSize=3\n",                                                               // no [File]
            "[File]\n",                                                                        // empty [File]
            "",                                                                                // empty file
            "[File]\nSize=3\nHash=\(h)\nAttributes=20\n",                                      // TimeModified missing
            "[File]\nSize=+3\nHash=\(h)\nAttributes=20\nTimeModified=1\n",                     // a sign: as UInt64("+3")
            "[File]\nSize=-0\nHash=\(h)\nAttributes=20\nTimeModified=1\n",
            "[File]\nSize=\nHash=\(h)\nAttributes=20\nTimeModified=1\n",
            "[File]\nSize=18446744073709551615\nHash=\(h)\nAttributes=FFFFFFFF\nTimeModified=18446744073709551615\n",
            "[File]\nSize=18446744073709551616\nHash=\(h)\nAttributes=20\nTimeModified=1\n",  // overflow
            "[File]\nSize=3\nHash=\(h)\nAttributes=100000000\nTimeModified=1\n",               // 33 bits
            "[File]\nSize=3\nHash=\(h)\nAttributes=0000000021\nTimeModified=1\n",
            "[File]\nSize=3\nHash=\(h)\nAttributes=0x\nTimeModified=1\n",
            "[File]\nSize=3\nHash=\(h)\nAttributes=2G\nTimeModified=1\n",
            "[File]\nSize=3\nHash=\(h.dropLast())\nAttributes=20\nTimeModified=1\n",
            "[File]\nSize=3\nHash=\(h.dropLast())Z\nAttributes=20\nTimeModified=1\n",
            "[File]\nSize=3 4\nHash=\(h)\nAttributes=20\nTimeModified=1\n",
            "[File]\nSize=three\nHash=\(h)\nAttributes=20\nTimeModified=1\n",
            "[File]\nSize=3\nHash=\(h)\nAttributes=20\nTimeModified=-1\n",
            "Size=3\n[File]\n",                                                                // key before a section
            "[File\nSize=3\n",
            "[]\nSize=3\n",
            "[File]\n=3\n",
            "[File]\njust words\n",
            "[File]\nSize=3\nHash=\(h)\nAttributes=20\nTimeModified=1\nName=Pilotes réseau\n",  // non-ASCII: INIFile parses
            "[File]\n; é in a comment\nSize=3\nHash=\(h)\nAttributes=20\nTimeModified=1\n",
            "[]\n; é\n",
        ]
        var cases = texts.map { Array($0.utf8) }
        cases.append(Array("[File]\nSize=3\nName=".utf8) + [0xC3, 0x28, 10])               // invalid UTF-8
        cases.append([0xEF, 0xBB, 0xBF] + Array("[File]\nSize=\u{1}3\n".utf8))
        for bytes in cases {
            let path = "/lib/DataLib/ABC00001.1/x.INI"
            XCTAssertEqual(scanned(bytes, path: path), reference(bytes, path: path), String(decoding: bytes, as: UTF8.self))
        }
    }

    func testTheScanLeavesOnlyPlainASCIIToItself() {
        let plain = Array("[File]\r\nSize=1\r\n".utf8)
        XCTAssertNotNil(plain.withUnsafeBufferPointer { FileINIScan($0) })
        XCTAssertNotNil(([0xEF, 0xBB, 0xBF] + plain).withUnsafeBufferPointer { FileINIScan($0) })
        XCTAssertNil(Array("[File]\nName=é\n".utf8).withUnsafeBufferPointer { FileINIScan($0) }, "non-ASCII: INIFile's job")
        XCTAssertNil(Array("[File]\nnot a key\n".utf8).withUnsafeBufferPointer { FileINIScan($0) }, "a bad line: INIFile names it")
    }

    // MARK: threads

    /// A library with one package of `count` files in nested folders, written
    /// directly (blobs and per-file INIs), faster than `addPackage`.
    private func makeLargePackage(files count: Int) throws -> String {
        let lib = try makeTemporaryFolder(self) + "/SCCMContentLib"
        try write(lib + "/PkgLib/BIG00001.INI", "[Packages]\nBIG00001.1=\n")
        try write(lib + "/DataLib/BIG00001.1.INI", "[Info]\nHash=0\n")
        try write(lib + "/FileLib/BA78/" + Vectors.abc, "abc")
        try write(lib + "/FileLib/E3B0/" + Vectors.empty, "")
        for i in 0..<count {
            // Names whose byte order differs from a naive folder-by-folder order
            // ("a-1" sorts before the folder "a"'s files, "a.b" after them).
            let folder = ["a", "a-1", "a/b", "a.b", "z", "z/y/x"][i % 6]
            let (size, hash) = i % 3 == 0 ? (0, Vectors.empty) : (3, Vectors.abc)
            try write(lib + "/DataLib/BIG00001.1/\(folder)/f\(i).bin.INI",
                      "[File]\r\nSize=\(size)\r\nHash=\(hash)\r\nAttributes=20\r\nTimeModified=\(i)\r\n")
        }
        try write(lib + "/DataLib/BIG00001.1/a+.INI", "[File]\nSize=3\nHash=\(Vectors.abc)\nAttributes=20\nTimeModified=7\n")
        return lib
    }

    private func load(_ lib: String, workers: Int, checkBlobs: Bool = true) throws -> PackageContent {
        try DataLibReader(root: lib, checkBlobs: checkBlobs, workers: workers)
            .load(packageID: "BIG00001", version: 1, name: nil, namedBy: lib + "/PkgLib/BIG00001.INI")
    }

    func testThreadsGiveTheSameFilesInTheSameOrder() throws {
        let count = 7 * DataLibReader.sliceSize + 17
        let lib = try makeLargePackage(files: count)
        let one = try load(lib, workers: 1)
        XCTAssertEqual(one.files.count, count + 1)
        let paths = one.files.map(\.path)
        XCTAssertEqual(paths, paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "UTF-8 order of paths")
        XCTAssertEqual(one.folders, ["a", "a-1", "a.b", "a/b", "z", "z/y", "z/y/x"])
        XCTAssertEqual(one.files.first?.path, "a+", "a file beside the folder a, whose name sorts before a/")
        for workers in [2, 3, 8] {
            XCTAssertEqual(try load(lib, workers: workers).files, one.files, "\(workers) threads")
        }
        XCTAssertEqual(try load(lib, workers: 2, checkBlobs: false).files, one.files, "without the blob check")
        let f = try XCTUnwrap(one.files.first { $0.path == "a-1/f1.bin" })
        XCTAssertEqual(f.size, 3)
        XCTAssertEqual(f.hash, Vectors.abc)
        XCTAssertEqual(f.timeModified, 1)
        XCTAssertEqual(f.blobPath, lib + "/FileLib/BA78/" + Vectors.abc)
    }

    func testThreadsReportTheFirstFileAtFault() throws {
        let count = 8 * DataLibReader.sliceSize
        let lib = try makeLargePackage(files: count)
        let d = lib + "/DataLib/BIG00001.1"
        // Faults early and late in path order; the early one is named, however many threads.
        try write(d + "/a-1/f1.bin.INI", "[File]\nSize=3\nHash=\(Vectors.abc)\nAttributes=20\n")
        try write(d + "/z/y/x/f5.bin.INI", "[File]\nSize=zz\n")
        for workers in [1, 2, 4] {
            assertRefused(try load(lib, workers: workers), naming: d + "/a-1/f1.bin.INI", "missing key 'TimeModified'")
        }
        // A blob of another size, found by the stat, and only with the check on.
        try write(d + "/a-1/f1.bin.INI", "[File]\nSize=4\nHash=\(Vectors.abc)\nAttributes=20\nTimeModified=1\n")
        try write(d + "/z/y/x/f5.bin.INI", "[File]\nSize=3\nHash=\(Vectors.abc)\nAttributes=20\nTimeModified=1\n")
        for workers in [1, 2, 4] {
            assertRefused(try load(lib, workers: workers), naming: d + "/a-1/f1.bin.INI", "Size=4 but the blob")
        }
        XCTAssertEqual(try load(lib, workers: 2, checkBlobs: false).files.first { $0.path == "a-1/f1.bin" }?.size, 4)
        let snapshot = try ContentLibrary(root: lib).snapshot(checkBlobSizes: false)
        XCTAssertFalse(snapshot.checksBlobSizes)
        XCTAssertEqual(try snapshot.package("BIG00001").files.count, count + 1)
        assertRefused(try ContentLibrary(root: lib).snapshot().package("BIG00001"), naming: d + "/a-1/f1.bin.INI", "Size=4")
    }
}

/// The hex reading of hashes, against a digit-by-digit reference.
final class SHA256DigestTests: XCTestCase {
    private func reference(_ text: [UInt8]) -> [UInt8]? {
        guard text.count == 64 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = UInt8(String(UnicodeScalar(text[i])), radix: 16),
                  let lo = UInt8(String(UnicodeScalar(text[i + 1])), radix: 16) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    private func bytes(of digest: SHA256Digest) -> [UInt8] {
        let text = Array(digest.upperHex.utf8)
        XCTAssertFalse(text.contains { $0 >= UInt8(ascii: "a") }, "upper case")
        return reference(text) ?? []
    }

    func testEveryByteValueAtEveryPlace() {
        XCTAssertEqual(SHA256Digest(hex: Vectors.abc)?.upperHex, Vectors.abc)
        XCTAssertEqual(SHA256Digest(hex: Vectors.abc.lowercased())?.upperHex, Vectors.abc)
        XCTAssertEqual(LibraryNames.normalizedHash(Vectors.long.lowercased()), Vectors.long)
        let base = Array(Vectors.long.utf8)
        for position in 0..<64 {
            for value in 0...255 {
                var text = base
                text[position] = UInt8(value)
                let parsed = text.withUnsafeBufferPointer { SHA256Digest(hex: $0) }
                let expected = reference(text)
                XCTAssertEqual(parsed.map(bytes(of:)), expected, "byte \(value) at \(position)")
            }
        }
        XCTAssertNil(SHA256Digest(hex: String(Vectors.abc.dropLast())))
        XCTAssertNil(SHA256Digest(hex: Vectors.abc + "0"))
        let upper = Array(Vectors.abc.utf8), lower = Array(Vectors.abc.lowercased().utf8)
        XCTAssertTrue(upper.withUnsafeBufferPointer { SHA256Digest.isUpperCase($0) })
        XCTAssertFalse(lower.withUnsafeBufferPointer { SHA256Digest.isUpperCase($0) })
    }
}
