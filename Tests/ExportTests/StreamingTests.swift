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
    private func manyBlobs(_ scratch: Scratch, count: Int, damaged: Int? = nil) throws -> (Layout, [Blob]) {
        var blobs: [Blob] = []
        var b = LayoutBuilder()
        b.append(bytes: Array(repeating: 0x33, count: 1000))
        for i in 0 ..< count {
            let bytes = patternBytes(150_000 + i * 9_973, seed: UInt64(100 + i))
            let blob = try scratch.blob("blob\(i).bin", bytes: bytes,
                                        recordedHash: i == damaged ? sha256Upper(Array(bytes.reversed())) : nil)
            blobs.append(blob)
            b.append(blob: blob)
            b.append(bytes: Array(repeating: UInt8(i & 0xFF), count: 100 + i))
            if i % 7 == 6 { b.appendZeros(200_000 + UInt64(i)) }
        }
        return (b.build(), blobs)
    }

    private func options(verify: Bool = true, buffer: Int, count: Int, direct: Bool = true) -> ExportOptions {
        var o = exportOptions(verify: verify, buffer: buffer)
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
            let r = try Exporter(options: options(buffer: buffer, count: count, direct: direct), message: { _ in })
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
        let (layout, blobs) = try manyBlobs(scratch, count: 40, damaged: 23)
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
        // To a pipe as well: the stream stops, with the same error.
        let fifo = scratch.path + "/fifo"
        try tool("mkfifo", fifo)
        let drained = DrainingReader(fifo)
        var messages: [String] = []
        XCTAssertThrowsError(try Exporter(options: options(buffer: 64 << 10, count: 4), message: { messages.append($0) })
            .export([ExportImage(layout: layout, output: fifo)])) { error in
            guard case ExportError.blobMismatch = error else { return XCTFail("not a mismatch: \(error)") }
        }
        // A pipe holds what was streamed before the stop: never "nothing written".
        XCTAssertEqual(messages.last, "\(fifo): holds part of an image; the export stopped")
        drained.wait()
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
