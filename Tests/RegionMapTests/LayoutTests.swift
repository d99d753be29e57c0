import XCTest
import SystemIO
@testable import RegionMap

/// A generator whose byte at position p is a hash of (seed, p): pure, so any
/// read of any range must agree with any other.
struct PatternGenerator: RegionGenerator {
    let seed: UInt8
    func generate(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        for i in 0..<buffer.count {
            let p = offset + UInt64(i)
            buffer[i] = UInt8(truncatingIfNeeded: (p &* 2654435761) >> 7) ^ seed
        }
    }
}

final class LayoutTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "regionmap-\(UUID().uuidString)"
        try FileSystem.createDirectory(folder)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A random layout over every region kind (a nested layout included), with
    /// its expected bytes built independently, region by region.
    func randomLayout(_ rng: inout SystemRandomNumberGenerator, depth: Int = 0) throws -> (Layout, [UInt8]) {
        var builder = LayoutBuilder()
        var expected: [UInt8] = []
        for _ in 0..<Int.random(in: 1...12, using: &rng) {
            switch Int.random(in: 0...(depth < 1 ? 4 : 3), using: &rng) {
            case 0:
                let bytes = (0..<Int.random(in: 1...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let skip = Int.random(in: 0..<bytes.count, using: &rng)
                builder.append(.bytes(SharedBytes(bytes), offset: skip), length: UInt64(bytes.count - skip))
                expected += bytes[skip...]
            case 1:
                let bytes = (0..<Int.random(in: 1...20000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let path = folder + "/blob-\(UUID().uuidString)"
                try FileSystem.writeAtomically(path, bytes: bytes, sync: false)
                let skip = UInt64.random(in: 0..<UInt64(bytes.count), using: &rng)
                builder.append(.blob(Blob(path: path, size: UInt64(bytes.count)), offset: skip), length: UInt64(bytes.count) - skip)
                expected += bytes[Int(skip)...]
            case 2:
                let n = Int.random(in: 1...5000, using: &rng)
                builder.appendZeros(UInt64(n))
                expected += [UInt8](repeating: 0, count: n)
            case 3:
                let generator = PatternGenerator(seed: UInt8.random(in: 0...255, using: &rng))
                let start = UInt64.random(in: 0...100_000, using: &rng)
                let n = Int.random(in: 1...7000, using: &rng)
                builder.append(.generated(generator, offset: start), length: UInt64(n))
                var bytes = [UInt8](repeating: 0, count: n)
                bytes.withUnsafeMutableBytes { generator.generate(at: start, into: $0) }
                expected += bytes
            default:
                let (inner, innerBytes) = try randomLayout(&rng, depth: depth + 1)
                let skip = UInt64.random(in: 0..<inner.size, using: &rng)
                builder.append(.layout(inner, offset: skip), length: inner.size - skip)
                expected += innerBytes[Int(skip)...]
            }
        }
        return (builder.build(), expected)
    }

    /// The sequential walk over the whole layout, as the exporter does it.
    func walk(_ layout: Layout, _ blobs: BlobReader) throws -> [UInt8] {
        var out: [UInt8] = []
        try layout.forEachSegment(offset: 0, count: layout.size) { segment in
            var part = [UInt8](repeating: 0, count: Int(segment.length))
            try part.withUnsafeMutableBytes { try segment.copy(into: $0, blobs: blobs) }
            out += part
        }
        return out
    }

    func testRandomReadsEqualTheSequentialWalk() throws {
        var rng = SystemRandomNumberGenerator()
        let blobs = BlobReader(capacity: 4)
        for _ in 0..<40 {
            let (layout, expected) = try randomLayout(&rng)
            XCTAssertEqual(layout.size, UInt64(expected.count))
            let walked = try walk(layout, blobs)
            XCTAssertEqual(walked, expected, "the walk differs from the regions it was built of")
            for _ in 0..<60 {
                let offset = UInt64.random(in: 0...layout.size, using: &rng)
                let count = Int.random(in: 0...9000, using: &rng)
                let got = try layout.read(at: offset, count: count, blobs: blobs)
                let end = min(Int(offset) + count, walked.count)
                XCTAssertEqual(got, Array(walked[Int(offset)..<max(Int(offset), end)]), "read(\(offset), \(count))")
            }
            // Every region boundary, read across.
            for region in layout.regions where region.start > 0 {
                let got = try layout.read(at: region.start - 1, count: 2, blobs: blobs)
                XCTAssertEqual(got, Array(walked[Int(region.start) - 1 ..< min(walked.count, Int(region.start) + 1)]))
            }
        }
        XCTAssertLessThanOrEqual(blobs.openCount, 4, "the descriptor cache is bounded")
    }

    func testInvalidLayoutsAreRefused() {
        let shared = SharedBytes([1, 2, 3])
        XCTAssertThrowsError(try Layout(regions: [Region(start: 1, length: 3, content: .bytes(shared, offset: 0))]))
        XCTAssertThrowsError(try Layout(regions: [Region(start: 0, length: 4, content: .bytes(shared, offset: 0))]))
        XCTAssertThrowsError(try Layout(regions: [Region(start: 0, length: 0, content: .zeros)]))
        XCTAssertNoThrow(try Layout(regions: [Region(start: 0, length: 3, content: .bytes(shared, offset: 0)),
                                              Region(start: 3, length: 10, content: .zeros)]))
    }

    func testAShortBlobIsAnErrorNotWrongBytes() throws {
        let path = folder + "/short"
        try FileSystem.writeAtomically(path, bytes: [1, 2, 3], sync: false)
        let layout = Layout.single(.blob(Blob(path: path, size: 10), offset: 0), length: 10)
        XCTAssertThrowsError(try layout.read(at: 0, count: 10, blobs: BlobReader())) { error in
            XCTAssertTrue("\(error)".contains(path), "the error names the blob: \(error)")
        }
        let missing = Layout.single(.blob(Blob(path: folder + "/gone", size: 10), offset: 0), length: 10)
        XCTAssertThrowsError(try missing.read(at: 0, count: 10, blobs: BlobReader()))
    }

    /// Labels name every byte for `mediafs verify`: a region's own label, the
    /// named region before unnamed zeros, and through a nested layout.
    func testRegionLabelsDescribeEveryByte() {
        var inner = LayoutBuilder()
        inner.append(bytes: [1, 2, 3, 4], label: .structure("boot sector"))
        inner.append(generator: PatternGenerator(seed: 1), length: 8, label: .structure("FAT #1"))
        inner.pad(to: 16, label: .structure("FAT #1"))
        let efi = inner.build()
        XCTAssertEqual(efi.regions.count, 3, "zeros labelled FAT #1 stay apart from the generator")

        var outer = LayoutBuilder()
        outer.append(bytes: [9, 9], label: .structure("volume descriptors"))
        outer.append(bytes: [7, 7, 7], label: .file("SMS/data/Policy.xml"))
        outer.appendZeros(3)
        outer.appendZeros(2)
        outer.append(bytes: [5], label: .directory(""))
        outer.append(bytes: [5], label: .directory("EFI/BOOT"))
        outer.append(layout: efi, label: .structure("EFI boot image (El Torito)"))
        let layout = outer.build()
        XCTAssertEqual(layout.regions.count, 6, "adjacent unlabelled zeros merge")
        XCTAssertEqual(layout.describe(offset: 0), "volume descriptors")
        XCTAssertEqual(layout.describe(offset: 4), "file SMS/data/Policy.xml")
        XCTAssertEqual(layout.describe(offset: 9), "unused space after file SMS/data/Policy.xml")
        XCTAssertEqual(layout.describe(offset: 10), "the root directory")
        XCTAssertEqual(layout.describe(offset: 11), "directory EFI/BOOT")
        XCTAssertEqual(layout.describe(offset: 12), "EFI boot image (El Torito), boot sector")
        XCTAssertEqual(layout.describe(offset: 12 + 5), "EFI boot image (El Torito), FAT #1")
        XCTAssertEqual(layout.describe(offset: 12 + 15), "EFI boot image (El Torito), FAT #1")
        XCTAssertEqual(layout.describe(offset: 28), "past the end of the image (28 bytes)")
        let inside = layout.innermostRegion(containing: 12 + 6)
        XCTAssertEqual(inside?.region.label, .structure("FAT #1"))
        XCTAssertEqual(inside?.inside, 2)
    }
}
