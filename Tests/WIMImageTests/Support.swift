import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import WIMImage

/// Helpers of the WIM tests: outside tools, scratch folders, trees, reading a layout.
enum Tool {
    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `tool` (on PATH) with output and error together; waits.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = "C.UTF-8"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @discardableResult
    static func check(_ tool: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(tool, arguments)
        XCTAssertEqual(result.status, 0, "\(tool) \(arguments.joined(separator: " ")) failed:\n\(result.output.suffix(3000))",
                       file: file, line: line)
        return result.output
    }
}

enum Scratch {
    static func folder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "mediafs-wim-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}

extension Layout {
    /// The whole layout in memory (small test images only).
    func allBytes() throws -> [UInt8] {
        try read(at: 0, count: Int(size), blobs: BlobReader())
    }
}

/// Little-endian reads.
extension Array where Element == UInt8 {
    func u16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
    /// A resource header: (size in the file, flags, offset, original size).
    func resource(_ at: Int) -> (size: UInt64, flags: UInt8, offset: UInt64, original: UInt64) {
        (u64(at) & 0x00FF_FFFF_FFFF_FFFF, self[at + 7], u64(at + 8), u64(at + 16))
    }
}

enum Trees {
    static let time = Timestamp(seconds: 1_767_225_600, nanoseconds: 500_000_000)  // 2026-01-01T00:00:00.5Z

    static func synthesized(_ text: String) -> ByteSource { .bytes(SharedBytes(Array(text.utf8))) }

    /// A small tree of synthesized files: nested folders, an empty folder, an empty
    /// file, two files with the same content, names that sort differently by case.
    static func small() throws -> MediaTree {
        var b = MediaTreeBuilder()
        try b.add(MediaFile(name: "MediaLabel.txt", source: synthesized("label=Lab\r\n"), modified: time, attributes: .archive), in: "")
        try b.add(MediaFile(name: "b.txt", source: synthesized("same\n"), modified: time, attributes: [.archive, .readOnly]), in: "")
        try b.add(MediaFile(name: "empty.txt", source: synthesized(""), modified: time), in: "")
        try b.add(MediaFile(name: "a.txt", source: synthesized("same\n"), modified: time, attributes: .hidden), in: "SMS/data")
        try b.add(MediaFile(name: "Zeta.ini", source: synthesized("[x]\r\n"), modified: time), in: "SMS/data")
        try b.addFolder("SMS/empty", modified: time)
        try b.add(MediaFile(name: "Ünïcode ✓.txt", source: synthesized("ü\n"), modified: time), in: "sources")
        return b.build(label: "Lab & <WIM>", defaultTime: time)
    }
}
