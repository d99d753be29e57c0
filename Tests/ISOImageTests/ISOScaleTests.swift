import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// Planning cost grows with the number of files, never with their bytes: a
/// 40 GB tree (blobs that are never opened: planning reads no content) is laid
/// out as one image and as a DVD set, and the time and peak RSS are printed.
final class ISOScaleTests: XCTestCase {
    func testLayoutOfA40GBTreeNeedsNoContentAndLittleMemory() throws {
        var builder = MediaTreeBuilder()
        let time = Timestamp(seconds: 1_700_000_000)
        func add(_ folder: String, _ name: String, _ size: UInt64) throws {
            let blob = Blob(path: "/nonexistent/\(folder)/\(name)", size: size)
            try builder.add(MediaFile(name: name, source: .blob(blob), modified: time), in: folder)
        }
        // The reference corpus of shared/benchmarks.md, nine times over: 9 × 3 GiB,
        // 180 × 50 MiB, 18,000 files of 4–256 KiB in a deep tree.
        for i in 0..<9 { try add("SMS/PKG/OS\(i)", "install.wim", 3 << 30) }
        for i in 0..<180 { try add("SMS/PKG/DRV\(i / 20)", "driver\(i).cab", 50 << 20) }
        for i in 0..<18_000 {
            try add("SMS/PKG/SMALL/a\(i % 9)/b\(i % 5)/c\(i % 8)/d\(i / 360)", "f\(i).bin", UInt64(4096 + (i * 7919) % (252 << 10)))
        }
        try add("SMS/data", "Variables.dat", 4096)
        let tree = builder.build(label: "Scale", defaultTime: time)
        XCTAssertGreaterThan(tree.totalBytes, 40_000_000_000)

        let start = Date()
        let one = try ISOImage.discs(tree, options: ISOOptions(label: "Scale"))
        let single = Date().timeIntervalSince(start)
        XCTAssertEqual(one.count, 1)
        XCTAssertGreaterThan(one[0].layout.size, tree.totalBytes)

        var options = ISOOptions(label: "Scale")
        options.discCapacity = ISOImage.capacities["dvd"]
        let setStart = Date()
        let set = try ISOImage.discs(tree, options: options)
        let split = Date().timeIntervalSince(setStart)
        XCTAssertEqual(set.flatMap(\.paths).count, 18_190)
        XCTAssertEqual(set.count, 9, "40.8 GB on 4.7 GB discs: 9 is the fewest possible")
        for disc in set { XCTAssertLessThanOrEqual(disc.layout.size, options.discCapacity ?? 0) }

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("ISO scale: \(tree.totalBytes) bytes in 18,190 files: one image \(String(format: "%.2f", single)) s; " +
              "DVD set of \(set.count) in \(String(format: "%.2f", split)) s; peak RSS of the test process \(usage.ru_maxrss / 1024) MiB")
    }
}
