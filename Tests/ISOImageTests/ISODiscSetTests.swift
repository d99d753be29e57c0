import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// Content larger than a disc is split into a set; each disc is an image of its own.
final class ISODiscSetTests: XCTestCase {
    func testSplitSetKeepsBootFilesFirstAndEveryDiscReads() throws {
        let scratch = try Scratch.folder("discset")
        defer { Scratch.remove(scratch) }
        let source = scratch + "/tree"
        try GeneratedTree.make(at: source, big: false)
        try GeneratedTree.addBootFiles(to: source, payloads: try BootPayloads.make())
        try Scratch.write(Array("[Variables]\n".utf8), to: source + "/SMS/data/Variables.dat")
        // Packages of 300 KiB files, in folders that sort before and after SMS/.
        for package in ["AAA00001", "ZZZ00002"] {
            for i in 0..<12 {
                try Scratch.write((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* (i + 1)) }, to: source + "/SMS/PKG/\(package)/part\(i).bin")
            }
        }
        let tree = try MediaTree.fromFolder(source, label: "Disc Set")
        let capacity: UInt64 = 3 << 20
        var options = GeneratedTree.bootOptions("Disc Set")
        options.discCapacity = capacity
        let discs = try ISOImage.discs(tree, options: options)
        XCTAssertGreaterThanOrEqual(discs.count, 3)

        // Every file exactly once; boot files and SMS/data on the first disc.
        var all: [String] = []
        tree.forEachFile { path, _ in all.append(path) }
        XCTAssertEqual(discs.flatMap(\.paths).sorted(), all.sorted())
        for path in ["boot/grub/eltorito.img", "boot/grub/boot_hybrid.img", "EFI/BOOT/BOOTX64.EFI", "SMS/data/Variables.dat"] {
            XCTAssertTrue(discs[0].paths.contains(path), "\(path) is not on the first disc")
        }

        for disc in discs {
            XCTAssertEqual(disc.count, discs.count)
            XCTAssertLessThanOrEqual(disc.layout.size, capacity, "disc \(disc.number)")
            let image = scratch + "/" + ISOImage.fileName(base: "set", disc: disc.number, count: disc.count)
            try disc.layout.write(to: image)
            // The folder this disc should hold: its files, plus the empty folders on the first.
            let expected = scratch + "/expected-\(disc.number)"
            for path in disc.paths {
                try FileManager.default.createDirectory(atPath: ((expected + "/" + path) as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: source + "/" + path, toPath: expected + "/" + path)
            }
            if disc.number == 1 {
                try FileManager.default.createDirectory(atPath: expected + "/empty folder/inner empty", withIntermediateDirectories: true)
            }
            let someName = (disc.paths[disc.paths.count / 2] as NSString).lastPathComponent
            try Readers.isoinfo(image, label: "DISC_SET", names: [someName])
            try Readers.xorrisoCompare(image, with: expected, ignoringTimes: true)
            try Readers.sevenZip(image, equals: expected, bootable: disc.number == 1, scratch: scratch)
            let report = try Tool.run("xorriso", ["-indev", image, "-report_el_torito", "plain"])
            XCTAssertEqual(report.output.contains("El Torito boot img"), disc.number == 1, "only the first disc boots")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch + "/set-1.iso"))
    }

    func testAFileLargerThanADiscIsAnErrorNamingIt() throws {
        let tree = try memoryTree([("SMS/data/a.dat", [1]), ("SMS/PKG/P1/huge.wim", [UInt8](repeating: 7, count: 2_000_000))], label: "Huge")
        var options = ISOOptions(label: "Huge")
        options.discCapacity = 1_000_000
        XCTAssertThrowsError(try ISOImage.discs(tree, options: options)) { error in
            XCTAssertTrue("\(error)".contains("SMS/PKG/P1/huge.wim"), "\(error)")
        }
    }

    /// With a capacity the content fits, there is one disc, named without a number.
    func testContentThatFitsIsOneDisc() throws {
        let tree = try memoryTree([("a.txt", [1, 2]), ("SMS/data/b.dat", [3])], label: "Fits")
        var options = ISOOptions(label: "Fits")
        options.discCapacity = ISOImage.capacities["cd650"]
        let discs = try ISOImage.discs(tree, options: options)
        XCTAssertEqual(discs.count, 1)
        XCTAssertEqual(ISOImage.fileName(base: "m", disc: 1, count: discs[0].count), "m.iso")
    }
}
