import ContentLibrary
import enum Crypto.Insecure
import struct Crypto.SHA256
import Foundation
import XCTest
import MediaTree
import RegionMap
import SystemIO
import WIMImage
@testable import MediaEngine

final class SHA1CacheTests: XCTestCase {
    func digest(_ bytes: [UInt8]) -> SHA1Digest { SHA1Digest(Array(Insecure.SHA1.hash(data: bytes)))! }
    func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02X", $0) }.joined() }
    func key(_ hex: String) -> SHA256Digest { SHA256Digest(hex: hex)! }

    func testLinesRoundTripAndDamagedLinesAreSkipped() throws {
        let sha = key(String(repeating: "AB", count: 32))
        let d = digest([1, 2, 3])
        let good = SHA1Cache.line(sha256: sha, size: 3, sha1: d)
        let parsed = SHA1Cache.parse(Array(good.utf8))
        XCTAssertEqual(parsed[sha], SHA1Cache.Entry(size: 3, sha1: d))
        // A flipped digit in the SHA-1 fails the check; a torn line (no newline) is not used.
        var flipped = Array(good.utf8)
        flipped[70] = flipped[70] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        XCTAssertTrue(SHA1Cache.parse(flipped).isEmpty)
        XCTAssertTrue(SHA1Cache.parse(Array(good.utf8.dropLast())).isEmpty)
        XCTAssertTrue(SHA1Cache.parse(Array("garbage\n".utf8)).isEmpty)
        // A torn line followed by a good one: the good one survives.
        let other = key(String(repeating: "CD", count: 32))
        let mixed = String(good.prefix(30)) + "\n" + SHA1Cache.line(sha256: other, size: 7, sha1: d)
        XCTAssertEqual(Array(SHA1Cache.parse(Array(mixed.utf8)).keys), [other])
        // The SHA-256 is written in upper case; a line with it in lower case (its check redone) is not one mediafs wrote.
        let text = String(repeating: "ab", count: 32) + " 3 \(d)"
        let lower = text + " " + Hex.lower(SHA1Cache.fnv1a(Array(text.utf8)[...]), digits: 16) + "\n"
        XCTAssertTrue(SHA1Cache.parse(Array(lower.utf8)).isEmpty)
    }

    /// The fuzz seeds were written by Python (hashlib and its own FNV-1a): an
    /// independent writer of the format. Valid lines are read; a torn tail and a
    /// line whose check fails are skipped, the lines after them kept.
    func testLinesWrittenByAnotherImplementationAreRead() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/sha1-cache")
        func entries(_ name: String) throws -> [SHA256Digest: SHA1Cache.Entry] {
            SHA1Cache.parse([UInt8](try Data(contentsOf: corpus.appendingPathComponent(name))))
        }
        let valid = try entries("valid.txt")
        XCTAssertEqual(valid.count, 3)
        let one = [UInt8](repeating: 1, count: 100)
        XCTAssertEqual(valid[key(sha256(one))], SHA1Cache.Entry(size: 100, sha1: digest(one)))
        XCTAssertEqual(try entries("torn-tail.txt"), valid)
        let damaged = try entries("damaged-check.txt")
        XCTAssertEqual(damaged.count, 4)
        XCTAssertNil(damaged[key(sha256(Array("damaged".utf8)))])
        XCTAssertNotNil(damaged[key(sha256(Array("after".utf8)))])
        XCTAssertEqual(try entries("max-size.txt").first?.value.size, UInt64.max)
    }

    func testLocationFollowsTheEnvironment() {
        XCTAssertEqual(SHA1Cache.forEnvironment(["MEDIAFS_SHA1_CACHE": "/c", "HOME": "/h"])?.path, "/c/sha1-v1.txt")
        XCTAssertEqual(SHA1Cache.forEnvironment(["XDG_CACHE_HOME": "/x", "HOME": "/h"])?.path, "/x/mediafs/sha1-v1.txt")
        XCTAssertEqual(SHA1Cache.forEnvironment(["HOME": "/h"])?.path, "/h/.cache/mediafs/sha1-v1.txt")
        XCTAssertNil(SHA1Cache.forEnvironment([:]))
    }

    func testPassComputesOnceThenReadsTheCache() throws {
        let folder = try Scratch.folder("pass")
        defer { Scratch.remove(folder) }
        var b = MediaTreeBuilder()
        var expected: [(Blob, SHA1Digest)] = []
        for i in 0..<40 {
            let bytes = (0..<(i * 3000 + 1)).map { UInt8(truncatingIfNeeded: $0 &+ i) }
            let path = folder + "/blob\(i)"
            try Scratch.write(bytes, to: path)
            let blob = Blob(path: path, size: UInt64(bytes.count), sha256: sha256(bytes))
            try b.add(MediaFile(name: "f\(i)", source: .blob(blob), modified: Trees.time), in: "p")
            expected.append((blob, digest(bytes)))
        }
        let tree = b.build(label: "x", defaultTime: Trees.time)
        let cache = SHA1Cache(path: folder + "/cache/sha1-v1.txt")
        let (first, report1) = try SHA1Pass.run(tree, cache: cache)
        for (blob, sha1) in expected { XCTAssertEqual(first[blob], sha1) }
        XCTAssertEqual(report1.computedBlobs, 40)
        XCTAssertNil(report1.cacheProblem)
        let (second, report2) = try SHA1Pass.run(tree, cache: cache)
        for (blob, sha1) in expected { XCTAssertEqual(second[blob], sha1) }
        XCTAssertEqual(report2.computedBlobs, 0)
        XCTAssertEqual(report2.cachedFiles, 40)
        let text = try String(contentsOfFile: cache.path, encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").count, 40)
    }

    /// Writers appending at once (flock holds across open files, so threads stand
    /// in for processes): every line survives whole.
    func testConcurrentAppendsKeepWholeLines() throws {
        let folder = try Scratch.folder("concurrent")
        defer { Scratch.remove(folder) }
        let cache = SHA1Cache(path: folder + "/sha1-v1.txt")
        let d = digest([9])
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            for batch in 0..<25 {
                let entries = (0..<20).map { i -> (sha256: SHA256Digest, size: UInt64, sha1: SHA1Digest) in
                    (SHA256Digest(hex: String(format: "%064X", writer * 100_000 + batch * 100 + i))!, UInt64(i), d)
                }
                try? cache.append(entries)
            }
        }
        XCTAssertEqual(cache.load().count, 8 * 25 * 20)
    }

    func testShrunkBlobIsNamed() throws {
        let folder = try Scratch.folder("shrunk")
        defer { Scratch.remove(folder) }
        try Scratch.write([1, 2, 3], to: folder + "/blob")
        var b = MediaTreeBuilder()
        try b.add(MediaFile(name: "f", source: .blob(Blob(path: folder + "/blob", size: 10, sha256: nil)), modified: Trees.time), in: "d")
        let tree = b.build(label: "x", defaultTime: Trees.time)
        XCTAssertThrowsError(try SHA1Pass.run(tree, cache: nil)) { error in
            XCTAssertTrue("\(error)".hasPrefix("d/f: cannot compute the SHA-1 of its blob"), "\(error)")
        }
    }
}
