import Crypto
import Foundation
@testable import MediaTree
import RegionMap
import SystemIO
import XCTest

final class TreeManifestTests: XCTestCase {
    func render(_ tree: MediaTree, _ format: ManifestFormat) throws -> String {
        var out: [UInt8] = []
        try TreeManifest.write(tree, format: format) { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    func testFormats() throws {
        let lib = try LibraryFixture()
        let boot = try lib.addBootImage()
        let tree = try lib.compose(Specs.bootable, sourceDateEpoch: 1_700_000_000).tree

        let sums = try render(tree, .sha256sum).split(separator: "\n")
        XCTAssertEqual(sums.count, 9)
        let efiHash = try XCTUnwrap(boot.files.first { $0.path == "EFI/BOOT/BOOTX64.EFI" }).hash.lowercased()
        XCTAssertEqual(sums.first, "\(efiHash)  EFI/BOOT/BOOTX64.EFI")
        let labelHash = Hex.lower(SHA256.hash(data: Array("label=LAB\r\n".utf8)))
        XCTAssertEqual(sums[1], "\(labelHash)  MediaLabel.txt")

        let long = try render(tree, .long).split(separator: "\n").map(String.init)
        XCTAssertEqual(long[0], "             -  2025-01-01T00:00:01Z  EFI/")
        XCTAssertTrue(long.contains("            11  2023-11-14T22:13:20Z  MediaLabel.txt"), long.joined(separator: "\n"))
        XCTAssertEqual(long.count, 9 + 8)  // 9 files, 8 folders

        let json = try render(tree, .json)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["label"] as? String, "LAB")
        XCTAssertEqual(object["files"] as? Int, 9)
        XCTAssertEqual(object["fingerprint"] as? String, Hex.lower(tree.fingerprint))
        let entries = try XCTUnwrap(object["entries"] as? [[String: Any]])
        let label = try XCTUnwrap(entries.first { $0["path"] as? String == "MediaLabel.txt" })
        XCTAssertEqual(label["sha256"] as? String, labelHash)
        XCTAssertEqual(label["source"] as? String, "synthesized")
        XCTAssertEqual(label["modified"] as? String, "2023-11-14T22:13:20Z")
        let efi = try XCTUnwrap(entries.first { $0["path"] as? String == "EFI/BOOT/BOOTX64.EFI" })
        XCTAssertEqual(efi["package"] as? String, "ABC00001")
        XCTAssertEqual(efi["sha256"] as? String, efiHash)
    }

    func testUnhashedBlobsAreHashed() throws {
        let folder = NSTemporaryDirectory() + "mediafs-manifest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/a", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = [UInt8](repeating: 0x5A, count: 3 << 20)
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/a/big.bin"))
        let tree = try MediaTree.fromFolder(folder, label: "X")
        XCTAssertEqual(try render(tree, .sha256sum), "\(Hex.lower(SHA256.hash(data: bytes)))  a/big.bin\n")
    }
}
