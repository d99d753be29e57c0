import Crypto
import Foundation
import RegionMap
import SystemIO
import XCTest

@testable import Export

/// A scratch folder under /tmp, removed at the end of the test.
final class Scratch {
    let path: String
    init() throws {
        path = "/tmp/mediafs-export-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileSystem.createDirectory(path)
    }
    deinit { _ = try? tool("rm", "-rf", path) }

    /// Writes a file and returns it as a blob with its true SHA-256.
    func blob(_ name: String, bytes: [UInt8], recordedHash: String? = nil) throws -> Blob {
        let file = path + "/" + name
        try FileSystem.writeAtomically(file, bytes: bytes, sync: false)
        return Blob(path: file, size: UInt64(bytes.count), sha256: recordedHash ?? sha256Upper(bytes))
    }

    func entries() throws -> [String] {
        try FileSystem.listDirectory(path).map(\.name).sorted()
    }
}

func sha256Upper(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02X", $0) }.joined()
}

func sha256Lower(_ bytes: [UInt8]) -> String { sha256Upper(bytes).lowercased() }

/// Deterministic pseudo-random bytes (a linear congruential generator): no Random, reproducible failures.
func patternBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    var out = [UInt8](repeating: 0, count: count)
    for i in 0 ..< count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        out[i] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return out
}

/// A generator whose bytes are a function of the offset (like a FAT table).
struct CountingGenerator: RegionGenerator {
    func generate(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        for i in 0 ..< buffer.count { buffer[i] = UInt8(truncatingIfNeeded: (offset + UInt64(i)) &* 7) }
    }
}

/// Runs an outside tool; returns its standard output; throws when it fails.
@discardableResult
func tool(_ name: String, _ arguments: String...) throws -> String {
    try runTool(name, arguments)
}

@discardableResult
func runTool(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolFailure(command: ([tool] + arguments).joined(separator: " "),
                          output: String(decoding: errData, as: UTF8.self))
    }
    return String(decoding: data, as: UTF8.self)
}

struct ToolFailure: Error, CustomStringConvertible {
    let command: String
    let output: String
    var description: String { "\(command) failed: \(output)" }
}

func readAll(_ path: String) throws -> [UInt8] { try FileSystem.readFile(path) }

func exportOptions(verify: Bool = true, path: CopyPath = .automatic, buffer: Int = 1 << 20) -> ExportOptions {
    var o = ExportOptions()
    o.verifyBlobs = verify
    o.copyPath = path
    o.bufferSize = buffer
    o.progress = .none
    return o
}

/// Every byte of a layout, read at random-access through `Layout.read` (the FUSE path).
func layoutBytes(_ layout: Layout) throws -> [UInt8] {
    try layout.read(at: 0, count: Int(layout.size), blobs: BlobReader())
}
