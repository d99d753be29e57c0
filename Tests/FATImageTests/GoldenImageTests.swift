import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import FATImage

/// Tiny images checked byte for byte against references kept under
/// Tests/FATImageTests/Golden, as dosfstools keeps its own: `xxd -a` text
/// (readable, and a failure shows where bytes moved) and its SHA-256.
///
/// To regenerate after an intended change of the format, run
///     FATIMAGE_REGENERATE_GOLDEN=1 swift test --scratch-path .build-fat --filter GoldenImageTests
/// then review `git diff Tests/FATImageTests/Golden` line by line, and commit
/// it with a message saying why the bytes changed. The disk image's serial
/// and disk signature come from `MediaTree.fingerprint`: a change there
/// changes the references too.
final class GoldenImageTests: XCTestCase {
    /// A little of everything: an exact 8.3 name, long and Unicode names, a
    /// real name shaped like a numeric tail, an empty file, a file of several
    /// clusters, nested folders, odd times (hundredths, before 1980).
    static func goldenTree() throws -> MediaTree {
        let time = Timestamp(seconds: 1_700_000_001, nanoseconds: 250_000_000)   // 2023-11-14T22:13:21.25Z
        var builder = MediaTreeBuilder()
        func add(_ path: String, _ bytes: [UInt8], _ modified: Timestamp = time, attributes: FileAttributes = []) throws {
            let parts = path.split(separator: "/").map(String.init)
            try builder.add(MediaFile(name: parts[parts.count - 1], source: .bytes(SharedBytes(bytes)),
                                      modified: modified, attributes: attributes),
                            in: parts.dropLast().joined(separator: "/"))
        }
        try add("README.TXT", Array("Golden image of mediafs' FAT producer.\r\n".utf8))
        try add("Read me, then boot.md", Array("# A long name with spaces and a comma\n".utf8))
        try add("Ünïcödé ✓ names.txt", Array("UTF-16 in the long name, _ in the short one\n".utf8))
        try add("PROGRA~1.TXT", Array("a real name shaped like a tail\n".utf8))
        try add("Program Files/Vendor/tool.exe", Array("MZ".utf8) + [UInt8](repeating: 0x90, count: 1300),
                attributes: [.readOnly, .archive])
        try add("empty.dat", [])
        try add("EFI/BOOT/BOOTX64.EFI", Array("MZ golden loader".utf8), Timestamp(seconds: 0))
        try add("SMS/data/Variables.dat", (0..<700).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try builder.addFolder("EFI/Microsoft/Boot", modified: Timestamp(seconds: 1_600_000_000))
        return builder.build(label: "Golden mediafs label", defaultTime: time)
    }

    func checkGolden(_ layout: Layout, name: String, partitionOffset: UInt64?) throws {
        let folder = try Support.temporaryFolder("golden")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = folder + "/" + name + ".img"
        try Support.writeLayout(layout, to: image)
        let dump = try Support.run("xxd", ["-a", image])
        XCTAssertEqual(dump.status, 0)
        let sum = try Support.run("sha256sum", [image])
        let hash = String(sum.output.prefix(64))
        let xxdPath = Support.goldenFolder + "/" + name + ".xxd"
        let hashPath = Support.goldenFolder + "/" + name + ".sha256"
        if ProcessInfo.processInfo.environment["FATIMAGE_REGENERATE_GOLDEN"] == "1" {
            try Support.write(Array(dump.output.utf8), to: xxdPath)
            try Support.write(Array((hash + "  " + name + ".img\n").utf8), to: hashPath)
            print("regenerated \(xxdPath) and \(hashPath)")
        } else {
            let expectedDump = try String(contentsOfFile: xxdPath, encoding: .utf8)
            let expectedHash = try String(contentsOfFile: hashPath, encoding: .utf8)
            XCTAssertEqual(hash, String(expectedHash.prefix(64)), "\(name): SHA-256 differs from \(hashPath)")
            if dump.output != expectedDump {
                let actualPath = NSTemporaryDirectory() + name + ".actual.xxd"
                try Support.write(Array(dump.output.utf8), to: actualPath)
                XCTFail("\(name): bytes differ from \(xxdPath); see: diff \(xxdPath) \(actualPath)")
            }
        }
        // The reference itself must be a clean file system.
        if let partitionOffset {
            let volume = folder + "/" + name + ".part"
            try Support.writeLayout(layout, from: partitionOffset, to: volume)
            try Support.assertFsckClean(volume)
        } else {
            try Support.assertFsckClean(image)
        }
    }

    func testGoldenFAT12Volume() throws {
        let tree = try Self.goldenTree()
        let layout = try FATImage.volume(tree, options: FATVolumeOptions(label: tree.label, serial: 0x1234_ABCD))
        XCTAssertEqual(try VolumeSizing.volume(for: VolumePlan(tree: tree, label: tree.label), size: nil, type: nil).type, .fat12)
        try checkGolden(layout, name: "golden-fat12-volume", partitionOffset: nil)
    }

    func testGoldenUSBDisk() throws {
        let tree = try Self.goldenTree()
        let layout = try FATImage.disk(tree, diskSize: nil, label: tree.label)
        try checkGolden(layout, name: "golden-usb-disk", partitionOffset: FATImage.partitionOffset)
    }
}
