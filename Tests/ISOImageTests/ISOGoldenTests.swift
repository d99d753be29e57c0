import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// A small image checked byte for byte. Everything in it is synthesized in
/// memory with fixed times, so the bytes depend only on this producer:
/// descriptors, path tables, sorted and mangled names, an empty file, a deep
/// folder, an El Torito BIOS entry with boot info table and GRUB2 boot info,
/// and a hybrid MBR. (No UEFI entry: its FAT image is the FAT producer's
/// bytes, checked by its own tests and by the boot tests here.)
///
/// To regenerate after an intended format change: run
///   swift test --scratch-path .build-iso --filter ISOGoldenTests
/// read the new digest and the image path from the failure message, check
/// that image with `isoinfo -d -J -l -i` and `xorriso -indev … -report_el_torito
/// plain -report_system_area plain`, then paste the digest below.
final class ISOGoldenTests: XCTestCase {
    static let expectedSHA256 = "7f29a645918220e3fb12481bb54bf7a695f5306a196ee47b3695a31956760647"

    func testSmallImageIsByteForByteTheGolden() throws {
        let loader = (0..<6000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let mbr = (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let tree = try memoryTree([
            ("boot/loader.bin", loader),
            ("boot/mbr.bin", mbr),
            ("readme.txt", Array("mediafs golden image\n".utf8)),
            ("empty.dat", []),
            ("data.file.one.txt", Array("one\n".utf8)),
            ("DATA_FILE_ONE.TXT", Array("two\n".utf8)),
            ("Docs/A rather long name with spaces and ünïcödé characters.txt", Array("long\n".utf8)),
            ("a/b/c/d/e/f/g/h/i/deep.txt", Array("deep\n".utf8)),
            ("SMS/data/Variables.dat", [UInt8](repeating: 0x5A, count: 5000)),
        ], label: "Golden Media")
        let options = ISOOptions(label: "Golden Media", biosLoader: "boot/loader.bin", bootInfoTable: true,
                                 hybridMBRCode: "boot/mbr.bin", hybrid: true)
        let image = try ISOImage.discs(tree, options: options)[0].layout
        let folder = try Scratch.folder("golden")
        let path = folder + "/golden.iso"
        try image.write(to: path)
        // The patches, checked field by field (they must hold whatever the digest).
        let bytes = try image.read(at: 0, count: Int(image.size), blobs: BlobReader())
        func le32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[o + $1]) << (8 * $1) } }
        func le64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[o + $1]) << (8 * $1) } }
        let catalog = Int(le32(17 * 2048 + 71)) * 2048
        let loaderSector = le32(catalog + 32 + 8)
        let at = Int(loaderSector) * 2048
        XCTAssertEqual(le32(at + 8), 16, "boot info table: PVD sector")
        XCTAssertEqual(le32(at + 12), loaderSector, "boot info table: loader sector")
        XCTAssertEqual(le32(at + 16), UInt32(loader.count), "boot info table: loader length")
        var sum: UInt32 = 0
        for o in stride(from: 64, to: loader.count, by: 4) { sum &+= le32(at + o) }
        XCTAssertEqual(le32(at + 20), sum, "boot info table: checksum")
        XCTAssertEqual(le64(at + 2548), UInt64(loaderSector) * 4 + 5, "GRUB2 boot info")
        XCTAssertEqual(le64(432), UInt64(loaderSector) * 4 + 4, "hybrid MBR: loader block")
        XCTAssertEqual(Array(bytes[0..<432]), Array(mbr[0..<432]), "hybrid MBR: boot code")
        XCTAssertEqual(Array(bytes[at + 2556 ..< at + loader.count]), Array(loader[2556...]), "the loader's other bytes are its own")

        let digest = try sha256(file: path)
        XCTAssertEqual(digest, Self.expectedSHA256, "golden image changed: \(digest), image kept at \(path)")
        if digest == Self.expectedSHA256 { Scratch.remove(folder) }
    }
}
