import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// The format rules, checked on the bytes this producer makes (no outside tool).
final class ISOStructureTests: XCTestCase {
    func testPrimaryNamesAreDCharactersAndUniquePerFolder() {
        let ids = Names.primaryIdentifiers([
            ("hello world.txt", false), ("README", false), ("a.b.c", false), ("my.folder", true),
            ("data.file.one.txt", false), ("DATA_FILE_ONE.TXT", false), ("Ünïcödé.Dat", false),
            (String(repeating: "x", count: 40) + ".extension", false), (String(repeating: "y", count: 40), true),
        ])
        XCTAssertEqual(ids[0], "HELLO_WORLD.TXT;1")
        XCTAssertEqual(ids[1], "README.;1")
        XCTAssertEqual(ids[2], "A_B.C;1")
        XCTAssertEqual(ids[3], "MY_FOLDER")
        XCTAssertEqual(ids[4], "DATA_FILE_ONE.TXT;1")
        XCTAssertEqual(ids[5], "DATA_FILE_ONE1.TXT;1")
        XCTAssertEqual(ids[6], "_N_C_D_.DAT;1")
        XCTAssertEqual(ids[7], String(repeating: "X", count: 27) + ".EXT;1")
        XCTAssertEqual(ids[8], String(repeating: "Y", count: 31))
        for id in ids {
            let bare = id.split(separator: ";").first.map(String.init) ?? id
            XCTAssertLessThanOrEqual(bare.replacingOccurrences(of: ".", with: "").count, 31, id)
            XCTAssertTrue(bare.utf8.allSatisfy { Names.isDCharacter($0) || $0 == 0x2E }, id)
        }
    }

    func testIdentifierOrderPadsWithSpacesAndPutsHigherVersionsFirst() {
        func p(_ s: String, _ dir: Bool = false) -> IdentifierOrder { IdentifierOrder(primary: s, isDirectory: dir) }
        // "AB" padded is "AB " which sorts before "AB_" and "ABC".
        XCTAssertLessThan(p("AB.TXT;1"), p("AB_.TXT;1"))
        XCTAssertLessThan(p("AB.TXT;1"), p("ABC.A;1"))
        // Same name: the extension decides; a folder (no extension) first.
        XCTAssertLessThan(p("FOO", true), p("FOO.TXT;1"))
        XCTAssertLessThan(p("FOO.A;1"), p("FOO.B;1"))
        XCTAssertLessThan(p("FOO.A;2"), p("FOO.A;1"))
        // Joliet: extension after the last dot, compared in UCS-2.
        func j(_ s: String) -> IdentifierOrder { IdentifierOrder(joliet: s, isDirectory: false) }
        XCTAssertLessThan(j("a.b_c"), j("a.b.c"))   // name "a" < "a.b"
        XCTAssertLessThan(j("Z.txt"), j("a.txt"))
    }

    func testMultiExtentSplitKeepsDataContiguous() {
        XCTAssertEqual(Extents.count(size: 0), 1)
        XCTAssertEqual(Extents.count(size: UInt64(UInt32.max)), 1)
        XCTAssertEqual(Extents.count(size: 1 << 32), 2)
        let size: UInt64 = 9 << 30
        let extents = Extents.split(start: 100, size: size)
        XCTAssertEqual(extents.count, 3)
        XCTAssertEqual(extents.map { UInt64($0.length) }.reduce(0, +), size)
        XCTAssertEqual(extents[1].location, 100 + UInt32(Extents.maximumLength / 2048))
        XCTAssertEqual(extents[2].location, 100 + 2 * UInt32(Extents.maximumLength / 2048))
    }

    func testFileNamesOfADiscSet() {
        XCTAssertEqual(ISOImage.fileName(base: "media", disc: 1, count: 1), "media.iso")
        XCTAssertEqual(ISOImage.fileName(base: "media.iso", disc: 1, count: 1), "media.iso")
        XCTAssertEqual(ISOImage.fileName(base: "media", disc: 2, count: 3), "media-2.iso")
        XCTAssertEqual(ISOImage.fileName(base: "out/media.ISO", disc: 3, count: 12), "out/media-03.iso")
        XCTAssertEqual(ISOImage.capacities["cd700"], 737_280_000)
        XCTAssertEqual(ISOImage.capacities["dvd"], 4_700_372_992)
    }

    func testCRC32AndBootCatalogChecksum() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)   // the standard check value
        let catalog = ElTorito.catalog([.init(platform: 0, sectorCount: 4, location: 30), .init(platform: 0xEF, sectorCount: 2880, location: 40)])
        var sum: UInt16 = 0
        for i in stride(from: 0, to: 32, by: 2) { sum &+= UInt16(catalog[i]) | UInt16(catalog[i + 1]) << 8 }
        XCTAssertEqual(sum, 0)
        XCTAssertEqual(Array(catalog[30...31]), [0x55, 0xAA])
        XCTAssertEqual(catalog[32], 0x88)
        XCTAssertEqual(catalog[64], 0x91)
        XCTAssertEqual(catalog[65], 0xEF)
        XCTAssertEqual(catalog[96 + 6], UInt8(2880 & 0xFF))
    }

    /// Parses the image this producer makes: descriptors, both byte orders of
    /// both path tables, and the directory records they point at.
    func testPathTablesInBothByteOrdersDescribeTheDirectories() throws {
        var files: [(String, [UInt8])] = [("readme.txt", Array("hello".utf8))]
        for i in 0..<60 { files.append(("many/folder number \(i)/file.txt", [UInt8(i)])) }
        for depth in 1...12 { files.append(((1...depth).map { "level\($0)" }.joined(separator: "/") + "/leaf.txt", [1])) }
        let tree = try memoryTree(files, label: "Structure")
        let image = try ISOImage.discs(tree, options: ISOOptions(label: "Structure"))[0].layout
        let bytes = try image.read(at: 0, count: Int(image.size), blobs: BlobReader())

        for (sector, type) in [(16, 1), (17, 2), (18, 255)] {
            let d = Array(bytes[sector * 2048 ..< sector * 2048 + 7])
            XCTAssertEqual(d, [UInt8(type)] + Array("CD001".utf8) + [1], "descriptor at \(sector)")
        }
        for descriptor in [16, 17] {
            let base = descriptor * 2048
            func le32(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24 }
            func be32(_ o: Int) -> Int { Int(bytes[o + 3]) | Int(bytes[o + 2]) << 8 | Int(bytes[o + 1]) << 16 | Int(bytes[o]) << 24 }
            XCTAssertEqual(le32(base + 80), be32(base + 84), "volume space both-endian")
            XCTAssertEqual(le32(base + 80) * 2048, Int(image.size))
            let tableLength = le32(base + 132)
            XCTAssertEqual(tableLength, be32(base + 136))
            let lTable = le32(base + 140) * 2048, mTable = be32(base + 148) * 2048
            var offset = 0, number = 0
            var folders = 0
            while offset < tableLength {
                number += 1
                let length = Int(bytes[lTable + offset])
                XCTAssertEqual(bytes[mTable + offset], bytes[lTable + offset])
                let lLocation = le32(lTable + offset + 2), mLocation = be32(mTable + offset + 2)
                XCTAssertEqual(lLocation, mLocation, "path table \(number): L and M disagree on the location")
                let lParent = Int(bytes[lTable + offset + 6]) | Int(bytes[lTable + offset + 7]) << 8
                let mParent = Int(bytes[mTable + offset + 7]) | Int(bytes[mTable + offset + 6]) << 8
                XCTAssertEqual(lParent, mParent, "path table \(number): L and M disagree on the parent")
                XCTAssertLessThanOrEqual(lParent, number)
                // The directory the table points at starts with its "." record pointing at itself.
                let dot = lLocation * 2048
                XCTAssertEqual(bytes[dot + 32], 1)
                XCTAssertEqual(bytes[dot + 33], 0)
                XCTAssertEqual(le32(dot + 2), lLocation)
                XCTAssertEqual(bytes[dot + 25] & 2, 2)
                offset += 8 + length + length % 2
                folders += 1
            }
            XCTAssertEqual(folders, 1 + 1 + 60 + 12)
            // The root record in the descriptor points at the first path table entry.
            XCTAssertEqual(le32(base + 156 + 2), le32(lTable + 2))
        }
    }

    func testSameTreeGivesTheSameBytes() throws {
        let files: [(String, [UInt8])] = [("a/b.txt", [1, 2, 3]), ("c.txt", []), ("SMS/data/Variables.dat", [9])]
        let one = try ISOImage.discs(try memoryTree(files, label: "Same"), options: ISOOptions(label: "Same"))[0].layout
        let two = try ISOImage.discs(try memoryTree(files, label: "Same"), options: ISOOptions(label: "Same"))[0].layout
        let reader = BlobReader()
        XCTAssertEqual(try one.read(at: 0, count: Int(one.size), blobs: reader), try two.read(at: 0, count: Int(two.size), blobs: reader))
    }

    func testErrorsNameWhatIsAtFault() throws {
        let tree = try memoryTree([("boot/etfsboot.com", [UInt8](repeating: 0xAA, count: 4096)), ("big.bin", [UInt8](repeating: 1, count: 300_000))], label: "E")
        func message(_ options: ISOOptions) -> String {
            do { _ = try ISOImage.discs(tree, options: options); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(ISOOptions(label: "E", biosLoader: "boot/missing.com")).contains("boot/missing.com"))
        XCTAssertTrue(message(ISOOptions(label: "E", uefi: true)).contains("EFI/"))
        XCTAssertTrue(message(ISOOptions(label: "E", discCapacity: 200_000)).contains("big.bin"))
        XCTAssertTrue(message(ISOOptions(label: "E", biosLoader: "boot/etfsboot.com", hybrid: true)).contains("hybrid"))
        XCTAssertTrue(message(ISOOptions(label: "E", biosLoader: "boot/etfsboot.com", hybridMBRCode: "big.bin", hybrid: true)).contains("big.bin"))
    }

    /// Joliet's own name rules, checked before any layout: a `;` (fine on a
    /// FAT stick) and names that differ only in case are refused, naming the file.
    func testNamesAreJolietsToRefuse() throws {
        func message(_ files: [(String, [UInt8])]) throws -> String {
            let tree = try memoryTree(files, label: "N")
            do { _ = try ISOImage.discs(tree, options: ISOOptions(label: "N")); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(try message([("ok/a b.txt", [1])]), "no error")
        XCTAssertEqual(try message([("SMS/a;b.txt", [1])]),
                       "SMS/a;b.txt: this name cannot be put on an ISO (Joliet): it contains ';', which Joliet cannot hold")
        XCTAssertEqual(try message([("d/Setup.exe", [1]), ("d/SETUP.EXE", [2])]),
                       "d/SETUP.EXE and d/Setup.exe: the names differ only in case, and Windows reads an ISO's Joliet names ignoring case")
        XCTAssertEqual(try message([("emoji😀", [1])]),
                       "emoji😀: this name cannot be put on an ISO (Joliet): it contains U+1F600, outside the UCS-2 range Joliet can hold")
        XCTAssertTrue(try message([(String(repeating: "n", count: 104), [1])]).contains("Joliet holds at most 103"))
        XCTAssertEqual(try message([(String(repeating: "n", count: 103), [1])]), "no error")
    }

    /// Reads at random offsets and lengths through the region map equal the file written from it.
    func testRandomReadsEqualTheWrittenImage() throws {
        let folder = try Scratch.folder("random")
        defer { Scratch.remove(folder) }
        var rng = SystemRandomNumberGenerator()
        var files: [(String, [UInt8])] = []
        for i in 0..<40 {
            files.append(("f\(i % 5)/file \(i).bin", (0..<Int.random(in: 0...9000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        }
        let image = try ISOImage.discs(try memoryTree(files, label: "Random"), options: ISOOptions(label: "Random"))[0].layout
        let path = folder + "/image.iso"
        try image.write(to: path)
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(UInt64(written.count), image.size)
        let reader = BlobReader()
        for _ in 0..<500 {
            let offset = Int.random(in: 0..<written.count, using: &rng)
            let count = Int.random(in: 1...70_000, using: &rng)
            let expected = Array(written[offset ..< min(written.count, offset + count)])
            XCTAssertEqual(try image.read(at: UInt64(offset), count: count, blobs: reader), expected, "at \(offset)+\(count)")
        }
    }
}
