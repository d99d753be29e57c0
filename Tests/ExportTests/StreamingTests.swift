import Foundation
import RegionMap
import SystemIO
import XCTest

@testable import Export

/// The buffer ring with several buffers in flight: small buffers and many
/// blobs, so that the writer, the image hasher and the blob verifier are each
/// at a different buffer when something happens.
final class StreamingTests: XCTestCase {
    /// `count` blobs of uneven sizes, each followed by a few bytes of padding
    /// (so blobs start at unaligned offsets), a hole after every seventh.
    private func manyBlobs(_ scratch: Scratch, count: Int, damaged: Set<Int> = []) throws -> (Layout, [Blob]) {
        var blobs: [Blob] = []
        var b = LayoutBuilder()
        b.append(bytes: Array(repeating: 0x33, count: 1000))
        for i in 0 ..< count {
            let bytes = patternBytes(150_000 + i * 9_973, seed: UInt64(100 + i))
            let blob = try scratch.blob("blob\(i).bin", bytes: bytes,
                                        recordedHash: damaged.contains(i) ? sha256Upper(Array(bytes.reversed())) : nil)
            blobs.append(blob)
            b.append(blob: blob)
            b.append(bytes: Array(repeating: UInt8(i & 0xFF), count: 100 + i))
            if i % 7 == 6 { b.appendZeros(200_000 + UInt64(i)) }
        }
        return (b.build(), blobs)
    }

    private func options(verify: Bool = true, buffer: Int, count: Int, direct: Bool = true, hashImage: Bool = false) -> ExportOptions {
        var o = exportOptions(verify: verify, buffer: buffer)
        o.verifyWritten = hashImage
        o.bufferCount = count
        o.directWrites = direct
        return o
    }

    func testManyBuffersInFlightGiveTheLayoutsBytesAndHash() throws {
        let scratch = try Scratch()
        let (layout, _) = try manyBlobs(scratch, count: 40)
        let expected = try layoutBytes(layout)
        for (buffer, count, direct) in [(64 << 10, 3, true), (64 << 10, 8, false), (100_000, 5, true), (4 << 20, 4, true)] {
            let out = scratch.path + "/many-\(buffer)-\(count)-\(direct).img"
            let r = try Exporter(options: options(buffer: buffer, count: count, direct: direct, hashImage: true), message: { _ in })
                .export([ExportImage(layout: layout, output: out)])
            XCTAssertTrue(try readAll(out) == expected, "\(count) x \(buffer), direct \(direct): other bytes")
            XCTAssertEqual(r[0].statistics.sha256, sha256Lower(expected), "image hash in image order")
            XCTAssertEqual(r[0].statistics.verifiedBlobs, 40)
            // Where the filesystem takes direct I/O, the writer used it.
            let probe = try OpenFile(path: scratch.path + "/probe-\(buffer)-\(count)", mode: .write, create: true)
            XCTAssertEqual(r[0].statistics.directWrites, direct && probe.setDirectIO(true))
        }
    }

    func testDamagedBlobInTheMiddleStopsTheStreamNamesItAndLeavesNoOutput() throws {
        let scratch = try Scratch()
        let (layout, blobs) = try manyBlobs(scratch, count: 40, damaged: [23])
        let out = scratch.path + "/media.img"
        try FileSystem.writeAtomically(out, bytes: Array("the previous image".utf8), sync: false)
        for (buffer, count) in [(64 << 10, 4), (256 << 10, 8)] {
            let exporter = Exporter(options: options(buffer: buffer, count: count),
                                    mediaPaths: [blobs[23].path: "Drivers/net/e1000.sys"], message: { _ in })
            XCTAssertThrowsError(try exporter.export([ExportImage(layout: layout, output: out)])) { error in
                guard case ExportError.blobMismatch(let blob, _, _, _) = error else { return XCTFail("not a mismatch: \(error)") }
                XCTAssertEqual(blob.path, blobs[23].path, "the damaged blob, not another")
                let text = String(describing: error)
                XCTAssertTrue(text.contains("Drivers/net/e1000.sys") && text.contains(blobs[23].path), text)
            }
            XCTAssertTrue(try readAll(out) == Array("the previous image".utf8), "the old file is untouched")
            XCTAssertFalse(try scratch.entries().contains { $0.hasSuffix(".tmp") }, "no temporary left")
        }
        // To a pipe as well: the stream stops, with the same error, which says
        // that what went down the pipe is incomplete (not "nothing written").
        let fifo = scratch.path + "/fifo"
        try tool("mkfifo", fifo)
        let drained = DrainingReader(fifo)
        XCTAssertThrowsError(try Exporter(options: options(buffer: 64 << 10, count: 4), message: { _ in })
            .export([ExportImage(layout: layout, output: fifo)])) { error in
            let text = String(describing: error)
            switch error {
            case ExportError.incomplete(.blobMismatch(let blob, _, _, _), let output):
                XCTAssertEqual(blob.path, blobs[23].path)
                XCTAssertEqual(output, fifo)
                XCTAssertTrue(text.hasSuffix("export stopped; \(fifo) holds an incomplete image"), text)
            case ExportError.blobMismatch:
                XCTAssertTrue(text.hasSuffix("nothing written"), "stopped before the first write: \(text)")
            default:
                XCTFail("not a mismatch: \(error)")
            }
        }
        drained.wait()
        // To a file: nothing written is true (the temporary is gone).
        XCTAssertThrowsError(try Exporter(options: options(buffer: 64 << 10, count: 4), message: { _ in })
            .export([ExportImage(layout: layout, output: out)])) { error in
            XCTAssertTrue(String(describing: error).hasSuffix("export stopped, nothing written"), "\(error)")
        }
    }

    /// Two damaged blobs, verified on several lanes at once: the export stops
    /// and always names the same one (the lanes' order: largest first), however
    /// many lanes and buffers, and leaves the old file.
    func testTwoDamagedBlobsAlwaysNameTheSameOne() throws {
        let scratch = try Scratch()
        let (layout, blobs) = try manyBlobs(scratch, count: 40, damaged: [7, 31])
        let out = scratch.path + "/media.img"
        try FileSystem.writeAtomically(out, bytes: Array("old".utf8), sync: false)
        for (buffer, count) in [(64 << 10, 4), (256 << 10, 8), (1 << 20, 2), (64 << 10, 4)] {
            XCTAssertThrowsError(try Exporter(options: options(buffer: buffer, count: count), message: { _ in })
                .export([ExportImage(layout: layout, output: out)])) { error in
                guard case ExportError.blobMismatch(let blob, _, _, _) = error else { return XCTFail("not a mismatch: \(error)") }
                XCTAssertEqual(blob.path, blobs[31].path, "the larger damaged blob, every time")
            }
            XCTAssertEqual(try readAll(out), Array("old".utf8))
            XCTAssertFalse(try scratch.entries().contains { $0.hasSuffix(".tmp") }, "no temporary left")
        }
        // The verifier alone, with 1 to 4 lanes: the same failure.
        for lanes in 1 ... 4 {
            let verifier = BlobVerifier(checks: BlobCheck.all(in: layout, extra: [:]), blobs: BlobReader(),
                                        mediaPaths: [:], lanes: lanes, bufferSize: 64 << 10)
            verifier.start()
            XCTAssertThrowsError(try verifier.finish()) { error in
                guard case ExportError.blobMismatch(let blob, _, _, _) = error else { return XCTFail("not a mismatch: \(error)") }
                XCTAssertEqual(blob.path, blobs[31].path, "\(lanes) lanes")
            }
        }
    }

    /// A small damaged blob after a large one: one lane hashes the large blob
    /// while another finds the damage; the export stops, names the small one
    /// (the large one, ahead in the lanes' order, is finished, and is sound)
    /// and leaves the old file.
    func testDamageInASmallBlobWhileALargeOneIsHashing() throws {
        let scratch = try Scratch()
        let large = try scratch.blob("large.bin", bytes: patternBytes(40 << 20, seed: 41))
        let smallBytes = patternBytes(10_000, seed: 42)
        let small = try scratch.blob("small.bin", bytes: smallBytes, recordedHash: sha256Upper(Array(smallBytes.reversed())))
        var b = LayoutBuilder()
        b.append(blob: large)
        b.append(blob: small)
        b.appendZeros(1 << 20)
        let layout = b.build()
        let out = scratch.path + "/media.img"
        try FileSystem.writeAtomically(out, bytes: Array("old".utf8), sync: false)
        XCTAssertThrowsError(try Exporter(options: options(buffer: 64 << 10, count: 4), mediaPaths: [small.path: "SMS/data/small.dat"],
                                          message: { _ in }).export([ExportImage(layout: layout, output: out)])) { error in
            guard case ExportError.blobMismatch(let blob, _, _, _) = error else { return XCTFail("not a mismatch: \(error)") }
            XCTAssertEqual(blob.path, small.path)
            XCTAssertTrue(String(describing: error).contains("SMS/data/small.dat"), "\(error)")
        }
        XCTAssertEqual(try readAll(out), Array("old".utf8))
        XCTAssertEqual(try scratch.entries(), ["large.bin", "media.img", "small.bin"])
    }

    /// A lane may hash a blob long before the writer copies it (the writer is
    /// slow: a USB stick, or a sanitizer build, where 75-faults found this): a
    /// blob overwritten in place after its check, same size, other bytes, must
    /// still stop the export, which `finish` sees from the blob's status.
    func testBlobOverwrittenAfterItsCheckIsCaughtAtTheEnd() throws {
        let scratch = try Scratch()
        let bytes = patternBytes(1 << 20, seed: 7)
        let blob = try scratch.blob("a.bin", bytes: bytes)
        // An old mtime, as a library blob has: the overwrite below changes it
        // even where timestamps are coarse.
        try tool("touch", "-d", "2020-01-01 00:00:00", blob.path)
        var b = LayoutBuilder()
        b.append(blob: blob)
        let layout = b.build()
        let verifier = BlobVerifier(checks: BlobCheck.all(in: layout, extra: [:]), blobs: BlobReader(),
                                    mediaPaths: [blob.path: "big/a.bin"], lanes: 2, bufferSize: 64 << 10)
        verifier.start()
        XCTAssertEqual(try verifier.waitForLanes(), 1, "hashed, and sound")
        XCTAssertNoThrow(try verifier.checkUnchanged(), "nothing changed yet")
        try tool("sh", "-c", "printf XXXXXXXX | dd of='\(blob.path)' bs=1 seek=1000 conv=notrunc status=none")
        XCTAssertThrowsError(try verifier.checkUnchanged()) { error in
            guard case ExportError.blobChanged(let changed, let mediaPath) = error else { return XCTFail("not blobChanged: \(error)") }
            XCTAssertEqual(changed.path, blob.path)
            XCTAssertEqual(mediaPath, "big/a.bin")
            let text = String(describing: error)
            XCTAssertTrue(text.contains("big/a.bin") && text.contains(blob.path) && text.hasSuffix("nothing written"), text)
        }
    }

    /// The hook for a layout's own digests (a WIM's SHA-1s): checked in the
    /// same pass as the library's SHA-256; the digests from sha1sum.
    func testExpectedSHA1DigestsAreChecked() throws {
        let scratch = try Scratch()
        let (layout, blobs) = try manyBlobs(scratch, count: 6)
        var sha1s: [String: [BlobDigest]] = [:]
        for blob in blobs {
            let line = try tool("sha1sum", blob.path)
            sha1s[blob.path] = [.sha1(String(line.prefix(40)))]
        }
        let out = scratch.path + "/wim.img"
        let r = try Exporter(options: options(buffer: 64 << 10, count: 4), message: { _ in })
            .export([ExportImage(layout: layout, output: out, expectedDigests: sha1s)])
        XCTAssertEqual(r[0].statistics.verifiedBlobs, 6)

        var wrong = sha1s
        wrong[blobs[4].path] = [.sha1(String(repeating: "AB", count: 20))]
        XCTAssertThrowsError(try Exporter(options: options(buffer: 64 << 10, count: 4), message: { _ in })
            .export([ExportImage(layout: layout, output: out, expectedDigests: wrong)])) { error in
            guard case ExportError.blobMismatch(let blob, _, let expected, _) = error else { return XCTFail("not a mismatch: \(error)") }
            XCTAssertEqual(blob.path, blobs[4].path)
            XCTAssertEqual(expected, String(repeating: "AB", count: 20))
            XCTAssertTrue(String(describing: error).contains("its SHA-1 is"), "\(error)")
        }
        XCTAssertFalse(try scratch.entries().contains { $0.hasSuffix(".tmp") }, "no temporary left")
    }

    /// A disk that fills up after a few megabytes, with many buffers queued
    /// for the writer and the hashers behind it: one clear error, no hang,
    /// nothing left, the old file kept.
    func testWriteErrorMidStreamWithBuffersInFlight() throws {
        let scratch = try Scratch()
        let mountPoint = scratch.path + "/mnt"
        try FileSystem.createDirectory(mountPoint)
        try tool("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mountPoint)
        defer { _ = try? tool("umount", mountPoint) }
        let (layout, _) = try manyBlobs(scratch, count: 60)
        XCTAssertGreaterThan(layout.size, 12 << 20)
        let out = mountPoint + "/media.img"
        try FileSystem.writeAtomically(out, bytes: Array("old".utf8), sync: false)
        for (verify, buffer, count, direct) in [(true, 64 << 10, 8, true), (true, 64 << 10, 8, false),
                                                (false, 128 << 10, 6, true), (true, 4 << 20, 4, true)] {
            XCTAssertThrowsError(try Exporter(options: options(verify: verify, buffer: buffer, count: count, direct: direct), message: { _ in })
                .export([ExportImage(layout: layout, output: out)])) { error in
                XCTAssertEqual(String(describing: error), "\(out): write failed: No space left on device")
            }
            XCTAssertEqual(try FileSystem.listDirectory(mountPoint).map(\.name), ["media.img"])
            XCTAssertEqual(try readAll(out), Array("old".utf8))
        }
    }

    /// A reader that goes away in the middle: the writer's EPIPE ends the export.
    func testPipeReaderGoneMidStream() throws {
        Interrupts.ignoreBrokenPipe()
        let scratch = try Scratch()
        let (layout, _) = try manyBlobs(scratch, count: 30)
        let fifo = scratch.path + "/fifo"
        try tool("mkfifo", fifo)
        let reader = DrainingReader(fifo, stopAfter: 2 << 20)
        XCTAssertThrowsError(try Exporter(options: options(buffer: 64 << 10, count: 6), message: { _ in })
            .export([ExportImage(layout: layout, output: fifo)])) { error in
            XCTAssertEqual(String(describing: error), "\(fifo): write failed: Broken pipe")
        }
        reader.wait()
    }

    /// Every slot is handed back whatever happens, so the ring can be
    /// drained and finished after a consumer fails (no hang, no semaphore
    /// left in use), and the error is the consumer's.
    func testRingStopsOnAConsumerErrorAndThrowsIt() throws {
        struct Boom: Error {}
        let seen = Counter()
        let ring = BufferRing(count: 3, capacity: 4096, consumers: [
            { slot in seen.add(); if slot.offset == 5 * 4096 { throw Boom() } },
            { _ in },
        ])
        ring.start()
        var thrown: (any Error)?
        do {
            for i in 0 ..< 100 {
                let slot = try ring.acquire(at: UInt64(i) * 4096)
                slot.unfilled(4096).initializeMemory(as: UInt8.self, repeating: UInt8(i))
                slot.count = 4096
                ring.publish()
            }
            try ring.finish()
        } catch {
            thrown = error
            ring.cancel()
        }
        XCTAssertTrue(thrown is Boom, "\(String(describing: thrown))")
        XCTAssertLessThan(seen.value, 10, "the producer stopped within a ring's length of the failure")
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Reads a FIFO on another thread (as `| sha256sum` would), up to `stopAfter` bytes.
final class DrainingReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ path: String, stopAfter: Int = .max) {
        let thread = Thread { [done] in
            defer { done.signal() }
            guard let file = try? OpenFile(path: path) else { return }
            var total = 0
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while total < stopAfter {
                guard let n = try? chunk.withUnsafeMutableBytes({ try file.read(into: $0) }), n > 0 else { return }
                total += n
            }
        }
        thread.start()
    }

    func wait() { done.wait() }
}
