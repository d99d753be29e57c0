import Foundation
import RegionMap
import SystemIO
import XCTest

@testable import Export

/// Block devices and full disks, with real kernel objects: a loop device over
/// a file, a small tmpfs. Needs root (these tests run as root here and in CI);
/// a missing tool or permission fails the test, never skips it.
final class DeviceTests: XCTestCase {
    private var scratch: Scratch!
    private var device = ""

    override func setUpWithError() throws {
        scratch = try Scratch()
        try tool("truncate", "-s", "16M", scratch.path + "/disk.img")
        device = try tool("losetup", "-f", "--show", scratch.path + "/disk.img").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    override func tearDownWithError() throws {
        _ = try? tool("umount", scratch.path + "/mnt")
        if !device.isEmpty { try tool("losetup", "-d", device) }
        scratch = nil
    }

    private func layout(_ size: Int, seed: UInt64) throws -> Layout {
        let blob = try scratch.blob("content-\(seed).bin", bytes: patternBytes(size, seed: seed))
        var b = LayoutBuilder()
        b.append(bytes: Array(repeating: 0x55, count: 512))
        b.appendZeros(1 << 20)   // zeros must really be written on a device
        b.append(blob: blob)
        return b.build()
    }

    private func deviceBytes(_ count: Int) throws -> [UInt8] {
        let file = try OpenFile(path: device)
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try file.readExactly(into: $0, at: 0) }
        return bytes
    }

    func testLoopDeviceGetsTheImageOnlyWithForceBecauseItIsNotRemovable() throws {
        // Old contents that must be overwritten, zeros included.
        let filler = try OpenFile(path: device, mode: .write)
        try [UInt8](repeating: 0xAA, count: 4 << 20).withUnsafeBytes { try filler.write($0, at: 0) }
        try filler.sync()

        let image = try layout(2 << 20 + 777, seed: 20)
        XCTAssertThrowsError(try Exporter(options: exportOptions(), message: { _ in })
            .export([ExportImage(layout: image, output: device)])) { error in
            guard case ExportError.deviceNotRemovable = error else { return XCTFail("\(error)") }
            XCTAssertTrue(String(describing: error).contains("--force"), "\(error)")
        }
        var messages: [String] = []
        for path in [CopyPath.readWrite, .sendfile] {
            var options = exportOptions(verify: path == .readWrite, path: path)
            options.force = true
            options.verifyWritten = path == .readWrite
            let r = try Exporter(options: options, message: { messages.append($0) }).export([ExportImage(layout: image, output: device)])
            XCTAssertTrue(try deviceBytes(Int(image.size)) == layoutBytes(image), "device bytes by \(path)")
            XCTAssertEqual(r[0].statistics.holeBytes, 0)
        }
        XCTAssertTrue(messages.contains { $0.contains("16.78 MB") && $0.contains("backed by") }, "\(messages)")
    }

    func testTooSmallDeviceIsRefusedUntouched() throws {
        let image = try layout(20 << 20, seed: 21)
        let before = try deviceBytes(4096)
        var options = exportOptions()
        options.force = true
        XCTAssertThrowsError(try Exporter(options: options, message: { _ in }).export([ExportImage(layout: image, output: device)])) { error in
            guard case ExportError.deviceTooSmall = error else { return XCTFail("\(error)") }
            XCTAssertTrue(String(describing: error).contains("smaller than the image"), "\(error)")
        }
        XCTAssertEqual(try deviceBytes(4096), before)
    }

    func testMountedDeviceIsRefused() throws {
        try tool("mkfs.ext4", "-q", "-F", device)   // this kernel has no vfat; any mountable filesystem does
        try FileSystem.createDirectory(scratch.path + "/mnt")
        try tool("mount", device, scratch.path + "/mnt")
        let before = try deviceBytes(4096)
        var options = exportOptions()
        options.force = true
        XCTAssertThrowsError(try Exporter(options: options, message: { _ in })
            .export([ExportImage(layout: try layout(100_000, seed: 22), output: device)])) { error in
            guard case ExportError.deviceBusy = error else { return XCTFail("\(error)") }
            XCTAssertTrue(String(describing: error).contains("mounted"), "\(error)")
        }
        XCTAssertEqual(try deviceBytes(4096), before)
    }

    func testDeviceHeldOpenExclusivelyIsRefused() throws {
        let holder = try BlockDevice.openExclusive(device)
        var options = exportOptions()
        options.force = true
        XCTAssertThrowsError(try Exporter(options: options, message: { _ in })
            .export([ExportImage(layout: try layout(100_000, seed: 23), output: device)])) { error in
            XCTAssertEqual(String(describing: error), "\(device): the device is in use (mounted, or opened by another program); not written")
        }
        _ = holder
    }

    func testFullDiskIsOneClearErrorAndLeavesNothing() throws {
        let mountPoint = scratch.path + "/mnt"
        try FileSystem.createDirectory(mountPoint)
        try tool("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint)
        let out = mountPoint + "/media.img"
        try FileSystem.writeAtomically(out, bytes: Array("old".utf8), sync: false)
        let image = try layout(12 << 20, seed: 24)
        for path in [CopyPath.automatic, .copyRange] {
            XCTAssertThrowsError(try Exporter(options: exportOptions(verify: path == .automatic, path: path), message: { _ in })
                .export([ExportImage(layout: image, output: out)])) { error in
                XCTAssertEqual(String(describing: error), "\(out): write failed: No space left on device")
            }
            XCTAssertEqual(try FileSystem.listDirectory(mountPoint).map(\.name), ["media.img"])
            XCTAssertEqual(try readAll(out), Array("old".utf8))
        }
    }
}
