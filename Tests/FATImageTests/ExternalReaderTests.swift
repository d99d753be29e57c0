import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import FATImage

/// Images of generated trees, judged by independent readers: fsck.fat -n must
/// find nothing, and mtools and 7-Zip must extract exactly the tree.
final class ExternalReaderTests: XCTestCase {
    var work = ""

    override func setUpWithError() throws {
        work = try Support.temporaryFolder("readers")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: work)
    }

    func file(_ path: String, _ bytes: [UInt8]) throws {
        try Support.write(bytes, to: work + "/tree/" + path)
    }

    func folder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: work + "/tree/" + path, withIntermediateDirectories: true)
    }

    /// The awkward cases of a FAT producer, on disk.
    func makeTree(manyFiles: Int) throws -> String {
        var deep = "deep"
        for level in 1...24 { deep += "/level \(level) folder" }
        try file(deep + "/the deepest file.txt", Array("bottom\n".utf8))
        try file("Long names/" + String(repeating: "A long name that goes on ", count: 4).dropLast() + ".txt", Array("long\n".utf8))
        try file("Long names/short.txt", Array("8.3 in lower case\n".utf8))
        for name in ["Ünïcödé.txt", "日本語のファイル名.txt", "Ελληνικά έγγραφα.doc", "Кириллица.bin", "✓ check.txt"] {
            try file("Unicode/" + name, Array(name.utf8))
        }
        // Names differing only in case, in different folders (fine: one per folder).
        try file("Case A/Readme.txt", Array("A\n".utf8))
        try file("Case B/README.TXT", Array("B\n".utf8))
        try file("Case C/readme.TXT", Array("C\n".utf8))
        try file("Empty/empty.dat", [])
        try file("Empty/also empty", [])
        try folder("Empty/empty folder")
        for name in ["a+b=c[1].txt", "my.file.name.tar.gz", ".hidden", "name  with  spaces.txt", "PROGRA~1",
                     "Program Files", "Program Data", "x", "X1.Y", "1234567890.abcd"] {
            try file("Odd/" + name, Array(name.utf8))
        }
        for size in [511, 512, 513, 4095, 4096, 4097, 32768, 65537, 1_048_577] {
            try file("Sizes/\(size).bin", (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ size) })
        }
        for i in 0..<manyFiles {
            try file("Many/Document number \(i).txt", Array(repeating: UInt8(truncatingIfNeeded: i), count: i % 300))
        }
        for i in 0..<(manyFiles / 4) {
            try file("Spread/d\(i % 40)/f\(i).dat", Array("\(i)".utf8))
        }
        return work + "/tree"
    }

    func checkDisk(_ layout: Layout, tree: String, name: String) throws {
        let image = work + "/\(name).img", partition = work + "/\(name).part"
        try Support.writeLayout(layout, to: image)
        try Support.writeLayout(layout, from: FATImage.partitionOffset, to: partition)
        try Support.assertFsckClean(partition)
        try Support.assertExtractsEqual(image: image, offset: FATImage.partitionOffset, folder: tree)
        try Support.assertRandomReadsMatch(layout, image: image)
    }

    func testGeneratedTreeOnSmallestDisk() throws {
        let tree = try makeTree(manyFiles: 3000)
        let media = try MediaTree.fromFolder(tree, label: "Generated tree")
        let layout = try FATImage.disk(media, diskSize: nil, label: media.label)
        XCTAssertEqual(layout.size % (1 << 20), 0)
        try checkDisk(layout, tree: tree, name: "smallest")
        // The label, as mtools reads it from the root directory.
        let label = try Support.run("mlabel", ["-s", "-i", work + "/smallest.img@@1M", "::"])
        XCTAssertTrue(label.output.contains("GENERATED T"), label.output)
    }

    func testGeneratedTreeOn16GBStick() throws {
        let tree = try makeTree(manyFiles: 300)
        let media = try MediaTree.fromFolder(tree, label: "Sixteen")
        let layout = try FATImage.disk(media, diskSize: 16_000_000_000, label: media.label)
        XCTAssertEqual(layout.size, 16_000_000_000)
        try checkDisk(layout, tree: tree, name: "16GB")
        let info = try Support.run("minfo", ["-i", work + "/16GB.img@@1M", "::"])
        XCTAssertTrue(info.output.contains("cluster size: 16 sectors"), info.output)
    }

    /// Bare volumes (the El Torito EFI image) of each type, read without offset.
    func testBareVolumesOfEachType() throws {
        let tree = try makeTree(manyFiles: 60)
        let media = try MediaTree.fromFolder(tree, label: "efiboot")
        for type in FATType.allCases {
            let layout = try FATImage.volume(media, options: FATVolumeOptions(label: media.label, type: type))
            let image = work + "/volume-\(type).img"
            try Support.writeLayout(layout, to: image)
            try Support.assertFsckClean(image)
            try Support.assertExtractsEqual(image: image, offset: nil, folder: tree)
            let info = try Support.run("minfo", ["-i", image, "::"])
            XCTAssertTrue(info.output.contains("disk type=\"\(type)   \""), "\(type): \(info.output)")
        }
        // Automatic: the smallest valid type for this small tree.
        let automatic = try FATImage.volume(media, options: FATVolumeOptions(label: media.label))
        XCTAssertLessThan(automatic.size, 4 << 20)
    }

    /// A sparse file of 4 GiB − 1 bytes fits; reading it back streams through a pipe.
    func testLargestFileFitsAndFourGiBIsRefused() throws {
        let clock = ContinuousClock()
        var lap = clock.now
        func step(_ what: String) {
            print("large file test: \(what) took \(clock.now - lap)")
            lap = clock.now
        }
        let tree = work + "/tree"
        try file("small.txt", Array("small\n".utf8))
        func sparse(_ path: String, size: UInt64) throws {
            try file(path, Array("BEGIN".utf8))
            guard let handle = FileHandle(forWritingAtPath: tree + "/" + path) else { throw SupportError("cannot open \(path)") }
            try handle.truncate(atOffset: size)
            try handle.seek(toOffset: size / 2)
            handle.write(Data("MIDDLE".utf8))
            try handle.seek(toOffset: size - 3)
            handle.write(Data("END".utf8))
            try handle.close()
        }
        // The largest file FAT holds, and one 64 KiB shorter (whose chain fsck.fat 4.2 can check).
        try sparse("OSD/install.wim", size: 0xFFFF_FFFF)
        try sparse("OSD/almost.wim", size: 0xFFFF_FFFF - 65536)
        let big = tree + "/OSD/install.wim"

        let media = try MediaTree.fromFolder(tree, label: "Large")
        let layout = try FATImage.disk(media, diskSize: nil, label: "Large")
        let image = work + "/large.img", partition = work + "/large.part"
        try Support.writeLayout(layout, to: image)
        try Support.writeLayout(layout, from: FATImage.partitionOffset, to: partition)
        step("writing the images")
        try Support.assertFsckClean(partition, chainOverflow: [("OSD/install.wim", 0xFFFF_FFFF)])
        try Support.assertRandomReadsMatch(layout, image: image, count: 50)
        step("fsck.fat and random reads")
        let viaMtools = try Support.bash("mtype -i '\(image)@@1M' ::/OSD/install.wim | cmp - '\(big)'")
        XCTAssertEqual(viaMtools.status, 0, "mtools: \(viaMtools.output)")
        step("mtype | cmp of 4 GiB")
        let via7z = try Support.bash("7z x -so '\(image)' OSD/install.wim | cmp - '\(big)'")
        XCTAssertEqual(via7z.status, 0, "7-Zip: \(via7z.output)")
        step("7z x -so | cmp of 4 GiB")
        let small = try Support.bash("mtype -i '\(image)@@1M' ::/small.txt")
        XCTAssertEqual(small.output, "small\n")

        // One byte more: refused before anything is produced, naming file and size.
        let handle = FileHandle(forWritingAtPath: big)
        try handle?.truncate(atOffset: 1 << 32)
        try handle?.close()
        let tooBig = try MediaTree.fromFolder(tree, label: "Large")
        XCTAssertThrowsError(try FATImage.disk(tooBig, diskSize: nil, label: "Large")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("OSD/install.wim: 4294967296 bytes (4.0 GiB)"), text)
            XCTAssertTrue(text.contains("ISO target"), text)
        }
    }
}
