import Crypto
import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import WIMImage

final class WIMStructureTests: XCTestCase {
    let properties = WIMProperties(name: "Lab & <WIM>", createdBy: "Contoso IT", version: "1.2", comment: "Line \"A\"")

    func testHeaderTablesAndHashes() throws {
        let tree = try Trees.small()
        let layout = try WIMImage.layout(tree, sha1s: [:], properties: properties)
        let wim = try layout.allBytes()
        XCTAssertEqual(Array(wim[0..<8]), Array("MSWIM".utf8) + [0, 0, 0])
        XCTAssertEqual(wim.u32(8), 208)
        XCTAssertEqual(wim.u32(12), 0x10D00)
        XCTAssertEqual(wim.u32(16), 0, "no compression flag")
        XCTAssertEqual(wim.u32(20), 0, "chunk size 0")
        XCTAssertEqual(wim.u16(40), 1); XCTAssertEqual(wim.u16(42), 1); XCTAssertEqual(wim.u32(44), 1)
        XCTAssertEqual(Array(wim[96..<208]), [UInt8](repeating: 0, count: 112), "no boot metadata, no integrity table")

        let table = wim.resource(48), xml = wim.resource(72)
        XCTAssertEqual(table.flags, 2); XCTAssertEqual(xml.flags, 2)
        XCTAssertEqual(table.size, table.original); XCTAssertEqual(xml.size, xml.original)
        XCTAssertEqual(table.size % 50, 0)
        XCTAssertEqual(xml.offset + xml.size, UInt64(wim.count), "the XML ends the file")
        XCTAssertEqual(table.offset + table.size, xml.offset)

        // Distinct non-empty contents: label, "same\n" (twice), "[x]\r\n", "ü\n"; then the metadata.
        let entries = Int(table.size / 50)
        XCTAssertEqual(entries, 5)
        var hashes = Set<[UInt8]>()
        var metadata: (offset: UInt64, size: UInt64)?
        var cursor: UInt64 = 208
        for i in 0..<entries {
            let at = Int(table.offset) + 50 * i
            let r = wim.resource(at)
            XCTAssertEqual(r.size, r.original)
            XCTAssertEqual(wim.u16(at + 24), 1, "part number")
            let sha1 = Array(wim[(at + 30)..<(at + 50)])
            XCTAssertTrue(hashes.insert(sha1).inserted, "7-Zip refuses duplicate hashes")
            let content = Array(wim[Int(r.offset)..<Int(r.offset + r.size)])
            XCTAssertEqual(Array(Insecure.SHA1.hash(data: content)), sha1, "entry \(i) hash")
            if r.flags == 2 {
                metadata = (r.offset, r.size)
                XCTAssertEqual(wim.u32(at + 26), 1)
            } else {
                XCTAssertEqual(r.flags, 0)
                XCTAssertEqual(r.offset, cursor, "data is contiguous after the header")
                cursor += r.size
                let expectedCount: UInt32 = content == Array("same\n".utf8) ? 2 : 1
                XCTAssertEqual(wim.u32(at + 26), expectedCount, "reference count of \(String(decoding: content, as: UTF8.self))")
            }
        }
        let meta = try XCTUnwrap(metadata)
        XCTAssertEqual(meta.offset, cursor, "metadata right after the data")
        XCTAssertEqual(meta.offset + meta.size, table.offset)

        // Metadata: minimal security block, root dentry, terminator, then the child lists.
        let m = Array(wim[Int(meta.offset)..<Int(meta.offset + meta.size)])
        XCTAssertEqual(Array(m[0..<8]), [8, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(m.u64(8), 104, "root dentry: 102 bytes padded to 104")
        XCTAssertEqual(m.u32(16), 0x10)
        XCTAssertEqual(m.u32(20), 0xFFFF_FFFF)
        XCTAssertEqual(m.u64(24), 8 + 104 + 8, "root's child list right after its terminator")
        XCTAssertEqual(m.u64(112), 0, "root terminator")

        // Walk the tree as 7-Zip does: every byte after the security data read exactly once.
        var read = [Bool](repeating: false, count: m.count)
        for i in 0..<(8 + 104 + 8) { read[i] = true }
        var names: [String] = []
        func walk(_ listOffset: Int, _ prefix: String) {
            var at = listOffset
            while true {
                let length = Int(m.u64(at))
                if length == 0 {
                    for i in at..<(at + 8) { XCTAssertFalse(read[i], "byte \(i) read twice"); read[i] = true }
                    return
                }
                XCTAssertEqual(length % 8, 0)
                for i in at..<(at + length) { XCTAssertFalse(read[i], "byte \(i) read twice"); read[i] = true }
                let nameBytes = Int(m.u16(at + 100))
                let units = (0..<(nameBytes / 2)).map { m.u16(at + 102 + 2 * $0) }
                let name = String(decoding: units, as: UTF16.self)
                XCTAssertEqual(m.u16(at + 102 + nameBytes), 0, "name NUL")
                XCTAssertTrue(m[(at + 104 + nameBytes)..<(at + length)].allSatisfy { $0 == 0 }, "zero padding")
                XCTAssertEqual(m.u64(at + 40), Trees.time.fileTime)
                XCTAssertEqual(m.u64(at + 56), Trees.time.fileTime)
                let attributes = m.u32(at + 8)
                let child = Int(m.u64(at + 16))
                names.append(prefix + name)
                if attributes & 0x10 != 0 {
                    XCTAssertTrue(m[(at + 64)..<(at + 84)].allSatisfy { $0 == 0 })
                    walk(child, prefix + name + "/")
                } else {
                    XCTAssertEqual(child, 0, "no child offset on a file")
                }
                at += length
            }
        }
        walk(Int(m.u64(24)), "")
        XCTAssertTrue(read.allSatisfy { $0 }, "every metadata byte belongs to exactly one dentry or terminator")
        XCTAssertEqual(names, ["b.txt", "empty.txt", "MediaLabel.txt", "SMS", "SMS/data", "SMS/data/a.txt", "SMS/data/Zeta.ini",
                               "SMS/empty", "sources", "sources/Ünïcode ✓.txt"])

        // XML: UTF-16LE with a BOM, no declaration, WIM TOTALBYTES = the XML's offset.
        let x = Array(wim[Int(xml.offset)...])
        XCTAssertEqual(Array(x[0..<2]), [0xFF, 0xFE])
        let text = String(decoding: stride(from: 2, to: x.count, by: 2).map { UInt16(x[$0]) | UInt16(x[$0 + 1]) << 8 }, as: UTF16.self)
        XCTAssertTrue(text.hasPrefix("<WIM><TOTALBYTES>\(xml.offset)</TOTALBYTES><IMAGE INDEX=\"1\">"), text)
        XCTAssertTrue(text.contains("<DIRCOUNT>5</DIRCOUNT><FILECOUNT>6</FILECOUNT>"), text)
        XCTAssertTrue(text.contains("<NAME>Lab &amp; &lt;WIM&gt;</NAME><DESCRIPTION>Line &quot;A&quot;</DESCRIPTION>"), text)
        XCTAssertTrue(text.contains("<MEDIAFS><CREATEDBY>Contoso IT</CREATEDBY><VERSION>1.2</VERSION>"), text)
        XCTAssertTrue(text.hasSuffix("</IMAGE></WIM>"))
    }

    func testReproducibleAndGUIDFollowsInputs() throws {
        let a = try WIMImage.layout(try Trees.small(), sha1s: [:], properties: properties).allBytes()
        let b = try WIMImage.layout(try Trees.small(), sha1s: [:], properties: properties).allBytes()
        XCTAssertEqual(a, b)
        var other = properties
        other.comment = "another"
        let c = try WIMImage.layout(try Trees.small(), sha1s: [:], properties: other).allBytes()
        XCTAssertNotEqual(Array(a[24..<40]), Array(c[24..<40]), "GUID differs with the inputs")
    }

    func testExternalReadersAcceptIt() throws {
        let folder = try Scratch.folder("readers")
        defer { Scratch.remove(folder) }
        // A blob-backed file too, shared by two paths, beside synthesized ones.
        let blobPath = folder + "/blob"
        let blobBytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Scratch.write(blobBytes, to: blobPath)
        let blob = Blob(path: blobPath, size: UInt64(blobBytes.count), sha256: nil)
        var b = MediaTreeBuilder()
        try b.add(MediaFile(name: "install.wim", source: .blob(blob), modified: Trees.time), in: "_SMSTaskSequence/Packages/ABC00002")
        try b.add(MediaFile(name: "copy.bin", source: .blob(blob), modified: Trees.time), in: "other")
        try b.add(MediaFile(name: "Variables.dat", source: Trees.synthesized("<x/>"), modified: Trees.time), in: "SMS/data")
        try b.addFolder("empty", modified: Trees.time)
        let tree = b.build(label: "Readers", defaultTime: Trees.time)
        let sha1 = SHA1Digest(Array(Insecure.SHA1.hash(data: blobBytes)))!
        let layout = try WIMImage.layout(tree, sha1s: [blobPath: sha1], properties: properties)
        let wimPath = folder + "/t.wim"
        try Scratch.write(try layout.allBytes(), to: wimPath)

        let verify = try Tool.check("wimlib-imagex", ["verify", wimPath])
        XCTAssertFalse(verify.lowercased().contains("error"), verify)
        let info = try Tool.check("wimlib-imagex", ["info", wimPath, "1"])
        XCTAssertTrue(info.contains("Lab & <WIM>"), info)
        XCTAssertTrue(info.contains("Created by Contoso IT"), info)
        try Tool.check("wimlib-imagex", ["apply", wimPath, "1", folder + "/applied"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/applied/other/copy.bin")), Data(blobBytes))
        XCTAssertEqual(try String(contentsOfFile: folder + "/applied/SMS/data/Variables.dat", encoding: .utf8), "<x/>")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/applied/empty"))
        let test = try Tool.check("7z", ["t", wimPath])
        XCTAssertTrue(test.contains("Everything is Ok"), test)
        try Tool.check("7z", ["x", "-o" + folder + "/x", wimPath])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/x/_SMSTaskSequence/Packages/ABC00002/install.wim")), Data(blobBytes))
    }

    /// A file of 4 GiB and more: 7-byte resource sizes, one blob range (a sparse file, not read).
    func testFileOfFourGiB() throws {
        let folder = try Scratch.folder("large")
        defer { Scratch.remove(folder) }
        let size: UInt64 = (4 << 30) + 12345
        let path = folder + "/big"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: size)
        try handle.close()
        var b = MediaTreeBuilder()
        try b.add(MediaFile(name: "install.wim", source: .blob(Blob(path: path, size: size)), modified: Trees.time), in: "os")
        let tree = b.build(label: "Big", defaultTime: Trees.time)
        let fake = SHA1Digest([UInt8](repeating: 0xAB, count: 20))!
        let layout = try WIMImage.layout(tree, sha1s: [path: fake], properties: WIMProperties(name: "Big"))
        let header = try layout.read(at: 0, count: 208, blobs: BlobReader())
        let table = header.resource(48)
        let entries = try layout.read(at: table.offset, count: Int(table.size), blobs: BlobReader())
        let data = entries.resource(0)
        XCTAssertEqual(data.size, size); XCTAssertEqual(data.original, size); XCTAssertEqual(data.offset, 208)
        XCTAssertEqual(Array(entries[30..<50]), fake.bytes)
        XCTAssertEqual(layout.size, header.resource(72).offset + header.resource(72).size)
        guard case .blob(let blob, let offset) = layout.regions[1].content else { return XCTFail("data is not a blob range") }
        XCTAssertEqual(blob.path, path); XCTAssertEqual(offset, 0); XCTAssertEqual(layout.regions[1].length, size)
        XCTAssertEqual(blob.sha1, fake.description, "the exporter gets the SHA-1 to check")
    }

    func testMissingSHA1IsAnError() throws {
        var b = MediaTreeBuilder()
        try b.add(MediaFile(name: "f", source: .blob(Blob(path: "/nonexistent/blob", size: 5)), modified: Trees.time), in: "d")
        let tree = b.build(label: "x", defaultTime: Trees.time)
        XCTAssertThrowsError(try WIMImage.layout(tree, sha1s: [:], properties: WIMProperties(name: "x"))) { error in
            XCTAssertEqual(error as? WIMImageError, .missingSHA1(path: "d/f", blob: "/nonexistent/blob"))
        }
    }

    func testSiblingOrderIsCaseInsensitive() {
        let t = Trees.time
        let nodes = ["b", "A", "a", "C"].map { MediaNode.file(MediaFile(name: $0, source: Trees.synthesized("x"), modified: t)) }
        XCTAssertEqual(WIMPlan.sorted(nodes).map(\.name), ["A", "a", "b", "C"])
    }
}
