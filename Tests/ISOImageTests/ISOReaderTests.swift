import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// Images of generated trees, read by isoinfo, xorriso and 7-Zip.
final class ISOReaderTests: XCTestCase {
    /// One bootable hybrid image of the awkward tree with the 4.5 GiB sparse file:
    /// every reader sees the tree, and both El Torito entries are reported.
    func testReadersSeeTheGeneratedTree() throws {
        let scratch = try Scratch.folder("readers")
        defer { Scratch.remove(scratch) }
        let source = scratch + "/tree"
        try GeneratedTree.make(at: source, big: true)
        try GeneratedTree.addBootFiles(to: source, payloads: try BootPayloads.make())
        let tree = try MediaTree.fromFolder(source, label: "Generated Tree")
        let discs = try ISOImage.discs(tree, options: GeneratedTree.bootOptions("Generated Tree"))
        XCTAssertEqual(discs.count, 1)
        let image = scratch + "/generated.iso"
        try discs[0].layout.write(to: image)

        let names = [GeneratedTree.name103, "deep file.txt", "level12", "zero at root", "no extension"]
        try Readers.isoinfo(image, label: "GENERATED_TREE", names: names,
                            primaryNames: ["DATA_FILE_ONE.TXT;1", "DATA_FILE_ONE1.TXT;1", "LEVEL12", "NO_EXTENSION.;1"])
        // The 4.5 GiB file: two extents (records) in the Joliet listing, one file to the readers.
        let listing = try Tool.check("isoinfo", ["-J", "-l", "-i", image])
        XCTAssertEqual(listing.components(separatedBy: "large image.wim").count - 1, 2, "multi-extent records of the big file")
        try Readers.xorrisoCompare(image, with: source)
        try Readers.sevenZip(image, equals: source, streamed: [GeneratedTree.bigPath], bootable: true, scratch: scratch)

        let report = try Tool.check("xorriso", ["-indev", image, "-report_el_torito", "plain", "-report_system_area", "plain"])
        XCTAssertTrue(report.range(of: #"El Torito boot img :\s+1\s+BIOS\s+y\s+none\s+0x0000\s+0x00\s+4\s+\d+"#, options: .regularExpression) != nil, report)
        XCTAssertTrue(report.range(of: #"El Torito boot img :\s+2\s+UEFI\s+y\s+none"#, options: .regularExpression) != nil, report)
        XCTAssertTrue(report.contains("grub2-mbr"), report)
        XCTAssertTrue(report.range(of: #"MBR partition\s+:\s+1\s+0x00\s+0xee\s+1\s+\d+"#, options: .regularExpression) != nil, report)
        XCTAssertTrue(report.range(of: #"GPT type GUID\s+:\s+1\s+28732ac11ff8d211ba4b00a0c93ec93b"#, options: .regularExpression) != nil, report)
        XCTAssertFalse(report.contains("FAILURE"), report)
    }
}
