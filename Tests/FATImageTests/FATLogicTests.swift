import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import FATImage

/// The pieces on their own: short names, times, the FAT generator, sizing, refusals.
final class FATLogicTests: XCTestCase {
    func testShortNamesKeepRealNamesAndTailTheRest() {
        let names = ["Program Files", "PROGRA~1", "Program Data", "README.TXT", "readme.md", "my.file.name.tar.gz",
                     ".hidden", "a+b=c[1].txt", "日本語.txt", "Makefile"]
        let assigned = ShortName.assign(names)
        func show(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
        XCTAssertEqual(assigned.map { show($0.bytes) }, [
            "PROGRA~2   ", "PROGRA~1   ", "PROGRA~3   ", "README  TXT", "README  MD ", "MY~1    GZ ",
            "HIDDEN~1   ", "A_B_C_~1TXT", "___~1   TXT", "MAKEFILE   ",
        ])
        XCTAssertEqual(assigned.map(\.needsLongName), [true, false, true, false, true, true, true, true, true, true])
    }

    func testThousandsOfNamesSharingABasisStayUnique() {
        let names = (0..<5000).map { "Document number \($0).txt" }
        let assigned = ShortName.assign(names)
        XCTAssertEqual(Set(assigned.map(\.bytes)).count, 5000)
        XCTAssertEqual(String(decoding: assigned[0].bytes, as: UTF8.self), "DOCUME~1TXT")
        XCTAssertEqual(String(decoding: assigned[4999].bytes, as: UTF8.self), "DOC~5000TXT")
    }

    func testLongNameChecksumIsTheSpecificationsRotateAndAdd() {
        // Computed by hand from the specification's algorithm (rotate right, add).
        var expected: UInt8 = 0
        for byte in Array("README  TXT".utf8) { expected = (expected >> 1 | expected << 7) &+ byte }
        XCTAssertEqual(ShortName.checksum(Array("README  TXT".utf8)), expected)
    }

    func testVolumeLabelIsElevenFATLegalUpperCaseCharacters() {
        func label(_ s: String) -> String? { ShortName.volumeLabel(s).map { String(decoding: $0, as: UTF8.self) } }
        XCTAssertEqual(label("Contoso OSD media 2025"), "CONTOSO OSD")
        XCTAssertEqual(label("a.b*c"), "A_B_C      ")
        XCTAssertEqual(label("Été"), "_T_        ")
        XCTAssertNil(label("   "))
        XCTAssertNil(label(""))
    }

    func testTimestampsHaveTwoSecondStepsAndHundredths() {
        // 2023-11-14T22:13:21.25Z
        let stamp = FATTimestamp(Timestamp(seconds: 1_700_000_001, nanoseconds: 250_000_000))
        XCTAssertEqual(stamp.date, UInt16(2023 - 1980) << 9 | 11 << 5 | 14)
        XCTAssertEqual(stamp.time, 22 << 11 | 13 << 5 | 10)
        XCTAssertEqual(stamp.hundredths, 125)
        XCTAssertEqual(FATTimestamp(Timestamp(seconds: 0)).date, 1 << 5 | 1)            // 1970 → 1980-01-01
        XCTAssertEqual(FATTimestamp(Timestamp(seconds: 5_000_000_000)).date >> 9, 127)  // 2128 → 2107
    }

    func testFATEntriesFollowTheChains() {
        let table = FATTable(type: .fat32, mediaDescriptor: 0xF8, chainEnds: [2, 5, 9], firstFree: 10)
        XCTAssertEqual((0...11).map { table.entry($0) }, [
            0x0FFF_FFF8, 0x0FFF_FFFF, 0x0FFF_FFFF, 4, 5, 0x0FFF_FFFF, 7, 8, 9, 0x0FFF_FFFF, 0, 0,
        ])
        XCTAssertEqual(table.usedBytes, 512)
    }

    /// Any slice of a generated FAT equals the same bytes of the whole table,
    /// and FAT12 packs two entries in three bytes.
    func testFATGeneratorIsAPureFunctionOfOffset() {
        for type in FATType.allCases {
            let ends: [UInt32] = [2, 3, 7, 8, 200, 201, 202, 700, 1500]
            let table = FATTable(type: type, mediaDescriptor: 0xF8, chainEnds: ends, firstFree: 1501)
            var whole = [UInt8](repeating: 0xAA, count: 4096)
            whole.withUnsafeMutableBytes { table.generate(at: 0, into: $0) }
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<300 {
                let start = Int.random(in: 0..<4000, using: &rng)
                let length = Int.random(in: 1...(4096 - start), using: &rng)
                var part = [UInt8](repeating: 0x55, count: length)
                part.withUnsafeMutableBytes { table.generate(at: UInt64(start), into: $0) }
                XCTAssertEqual(part, Array(whole[start ..< start + length]), "\(type) at \(start)+\(length)")
            }
            if type == .fat12 {
                // Entries 0,1 = FF8, FFF → F8 FF FF; entries 2,3 = FFF, FFF; 4,5 = 5, 6.
                XCTAssertEqual(Array(whole[0..<9]), [0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x05, 0x60, 0x00])
            }
        }
    }

    func testClusterSizesFollowTheSpecificationTable() throws {
        let tree = try Support.tree([("a.txt", [1, 2, 3])], label: "x")
        let plan = try VolumePlan(tree: tree, label: "x")
        func geometry(_ disk: UInt64) throws -> VolumeGeometry {
            try VolumeSizing.diskVolume(for: plan, diskSize: disk, partitionStart: 2048)
        }
        let expectations: [(UInt64, UInt64)] = [
            (64_000_000, 1), (256_000_000, 1), (1_000_000_000, 8), (8_000_000_000, 8),
            (16_000_000_000, 16), (32_000_000_000, 32), (64_000_000_000, 64), (2_000_000_000_000, 64),
        ]
        for (disk, perCluster) in expectations {
            let g = try geometry(disk)
            XCTAssertEqual(g.sectorsPerCluster, perCluster, "\(disk)-byte disk")
            XCTAssertGreaterThanOrEqual(g.clusterCount, 65529)
            XCTAssertEqual(g.dataStart % g.sectorsPerCluster, 0, "cluster 2 is aligned")
            XCTAssertGreaterThanOrEqual(g.fatSectors * 512 / 4, g.clusterCount + 2, "the FAT holds every cluster")
            XCTAssertEqual(g.totalSectors, disk / 512 - 2048)
        }
        // The smallest disk: a whole number of MiB, valid FAT32 with 512-byte clusters.
        let smallest = try VolumeSizing.diskVolume(for: plan, diskSize: nil, partitionStart: 2048)
        XCTAssertEqual(smallest.totalSectors % 2048, 0)
        XCTAssertEqual(smallest.sectorsPerCluster, 1)
        XCTAssertGreaterThanOrEqual(smallest.clusterCount, 65529)
        XCTAssertLessThan(smallest.totalSectors, 70_000)
    }

    func testBareVolumesPickTheSmallestValidType() throws {
        let small = try Support.tree([("EFI/BOOT/BOOTX64.EFI", [UInt8](repeating: 7, count: 300_000))], label: "efi")
        let plan = try VolumePlan(tree: small, label: "efi")
        XCTAssertEqual(try VolumeSizing.volume(for: plan, size: nil, type: nil).type, .fat12)
        let fat16 = try VolumeSizing.volume(for: plan, size: nil, type: .fat16)
        XCTAssertEqual(fat16.type, .fat16)
        XCTAssertTrue(FATType.fat16.clusterCountRange.contains(fat16.clusterCount))
        XCTAssertEqual(fat16.totalSectors % 4, 0, "whole 2 KiB ISO sectors")
        XCTAssertEqual(try VolumeSizing.volume(for: plan, size: 100 << 20, type: nil).type, .fat16)
        XCTAssertEqual(try VolumeSizing.volume(for: plan, size: 3 << 30, type: nil).type, .fat32)
        let big = try Support.tree([("big.bin", [UInt8](repeating: 1, count: 6 << 20))], label: "big")
        let bigPlan = try VolumePlan(tree: big, label: "big")
        XCTAssertEqual(try VolumeSizing.volume(for: bigPlan, size: nil, type: nil).type, .fat16)
        XCTAssertThrowsError(try VolumeSizing.volume(for: bigPlan, size: 1 << 20, type: .fat12)) { error in
            XCTAssertTrue("\(error)".contains("1048576"), "\(error)")
        }
        XCTAssertThrowsError(try VolumeSizing.volume(for: plan, size: 1 << 20, type: .fat32)) { error in
            XCTAssertTrue("\(error)".contains("FAT32"), "\(error)")
        }
    }

    func testRefusalsNameWhatIsAtFault() throws {
        // The blob is never read: the refusal comes while planning.
        var builder = MediaTreeBuilder()
        let huge = Blob(path: "/nonexistent/install.wim", size: 1 << 32)
        try builder.add(MediaFile(name: "install.wim", source: .blob(huge), modified: Timestamp(seconds: 0)),
                        in: "OSD/Images")
        let tree = builder.build(label: "x", defaultTime: Timestamp(seconds: 0))
        XCTAssertThrowsError(try FATImage.disk(tree, diskSize: nil, label: "x")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("OSD/Images/install.wim"), text)
            XCTAssertTrue(text.contains("4294967296 bytes"), text)
            XCTAssertTrue(text.contains("ISO"), text)
        }
        let small = try Support.tree([("a.txt", [1])], label: "x")
        XCTAssertThrowsError(try FATImage.disk(small, diskSize: 16 << 20, label: "x")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("16777216 bytes") && text.contains("at least"), text)
        }
        XCTAssertThrowsError(try FATImage.disk(small, diskSize: 3_000_000_000_000, label: "x")) { error in
            XCTAssertTrue("\(error)".contains("MBR"), "\(error)")
        }
        // Content larger than the disk.
        let content = try Support.tree([("a.bin", [UInt8](repeating: 1, count: 3 << 20))], label: "x")
        XCTAssertNoThrow(try FATImage.disk(content, diskSize: 40 << 20, label: "x"))
        let many = try Support.tree((0..<70).map { ("f\($0).bin", [UInt8](repeating: 1, count: 600_000)) }, label: "x")
        XCTAssertThrowsError(try FATImage.disk(many, diskSize: 40 << 20, label: "x")) { error in
            XCTAssertTrue("\(error)".contains("41943040 bytes"), "\(error)")
        }
    }

    /// FAT's own name rules: a `;` (legal in a long name) is held, a `:` or a
    /// case collision is refused naming the file — the tree itself holds all three.
    func testNamesAreFATsToRefuse() throws {
        let semicolon = try Support.tree([("SMS/a;b.txt", [1]), ("x+y=[z],.txt", [2])], label: "x")
        XCTAssertNoThrow(try FATImage.disk(semicolon, diskSize: nil, label: "x"))
        func refusal(_ files: [(String, [UInt8])]) throws -> String {
            let tree = try Support.tree(files, label: "x")
            do { _ = try FATImage.disk(tree, diskSize: nil, label: "x"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(try refusal([("d/a:b", [1])]), "d/a:b: this name cannot be put on a FAT volume: it contains ':', which FAT cannot hold")
        XCTAssertEqual(try refusal([("d/ends.", [1])]), "d/ends.: this name cannot be put on a FAT volume: it ends with a dot or a space, which FAT drops")
        XCTAssertEqual(try refusal([("d/A.txt", [1]), ("d/a.TXT", [2])]), "d/A.txt and d/a.TXT: the names differ only in case, and FAT ignores case")
        XCTAssertEqual(NameRules.fat.problem(with: String(repeating: "n", count: 255)), nil)
        XCTAssertNotNil(NameRules.fat.problem(with: String(repeating: "n", count: 256)))
        XCTAssertNil(NameRules.fat.problem(with: "emoji😀"), "FAT long names are UTF-16")
    }

    func testFolderWithTooManyEntriesIsRefused() throws {
        // 22,000 names of 14 characters: 2 entries each (long + short) → 44,002 fits;
        // 33,000 → 66,002 does not.
        let names = (0..<33_000).map { ("big/file-\(String($0 + 100_000)).x", [UInt8]()) }
        let tree = try Support.tree(names, label: "x")
        XCTAssertThrowsError(try FATImage.disk(tree, diskSize: nil, label: "x")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("big:") && text.contains("66002"), text)
        }
    }

    func testSameTreeGivesTheSameBytes() throws {
        func image() throws -> [UInt8] {
            let tree = try Support.tree([("a/b/c.txt", Array("hello".utf8)), ("Ünïcode name.txt", [1, 2])], label: "Same")
            let layout = try FATImage.disk(tree, diskSize: nil, label: "Same")
            return try layout.read(at: 0, count: Int(layout.size), blobs: BlobReader())
        }
        XCTAssertEqual(try image(), try image())
    }

    /// The layout of a huge disk is planned, not materialized: building it is
    /// instant and memory does not grow with the disk size.
    func testHugeDiskLayoutsAreInstantAndSmall() throws {
        let tree = try Support.tree((0..<200).map { ("d\($0 % 7)/f\($0).bin", [UInt8](repeating: 1, count: 5000)) },
                                    label: "Huge")
        var figures: [String] = []
        for size: UInt64 in [16_000_000_000, 2_000_000_000_000] {
            let before = Support.residentKiB()
            let clock = ContinuousClock()
            var layout: Layout?
            let elapsed = try clock.measure { layout = try FATImage.disk(tree, diskSize: size, label: "Huge") }
            let grown = Support.residentKiB() - before
            guard let layout else { return XCTFail("no layout") }
            XCTAssertEqual(layout.size, size)
            XCTAssertLessThan(layout.regions.count, 1000)
            XCTAssertLessThan(elapsed, .seconds(2))
            XCTAssertLessThan(grown, 20_000, "RSS grew \(grown) KiB for a \(size)-byte disk")
            // Both FATs are generated on the spot, alike; the free space reads as zeros.
            let g = try VolumeSizing.diskVolume(for: VolumePlan(tree: tree, label: "Huge"), diskSize: size, partitionStart: 2048)
            let blobs = BlobReader()
            let fat1 = FATImage.partitionOffset + g.reservedSectors * 512
            let first = try layout.read(at: fat1, count: 4096, blobs: blobs)
            XCTAssertEqual(Array(first[0..<8]), [0xF8, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0x0F])
            XCTAssertEqual(try layout.read(at: fat1 + g.fatSectors * 512, count: 4096, blobs: blobs), first)
            XCTAssertEqual(try layout.read(at: size - 4096, count: 4096, blobs: blobs), [UInt8](repeating: 0, count: 4096))
            figures.append("\(size) bytes: \(elapsed), RSS +\(grown) KiB, peak \(Support.peakResidentKiB()) KiB, \(layout.regions.count) regions")
        }
        print("FAT layout figures: " + figures.joined(separator: "; "))
    }
}
