import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// Helpers shared by the ISO tests: outside tools, scratch folders, writing a
/// layout to a file the way a reader would, and the GRUB boot payloads.
enum Tool {
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    /// Runs `tool` (found on PATH) and waits; output and error are collected
    /// while it runs, so a chatty tool cannot block on a full pipe.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        // UTF-8 names in and out (xorriso converts Joliet names to the local charset).
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = "C.UTF-8"
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus,
                      output: String(decoding: outData, as: UTF8.self),
                      error: String(decoding: errData, as: UTF8.self))
    }

    /// Runs `tool` and fails the test (with its output) unless it exits 0.
    @discardableResult
    static func check(_ tool: String, _ arguments: [String], directory: String? = nil,
                      file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(tool, arguments, directory: directory)
        XCTAssertEqual(result.status, 0, "\(tool) \(arguments.joined(separator: " ")) failed:\n\(result.output.suffix(3000))\n\(result.error.suffix(3000))",
                       file: file, line: line)
        return result.output + result.error
    }

    /// Runs a bash snippet (with the repository's Scripts/lib sourced by the caller's text).
    @discardableResult
    static func bash(_ script: String) throws -> Result {
        try run("bash", ["-c", script])
    }
}

enum Scratch {
    /// A new empty folder under the system temporary folder.
    static func folder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "mediafs-iso-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The repository root (tests run from anywhere).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

extension Layout {
    /// Writes the whole layout to `path` through `read` in 1 MiB chunks — the
    /// random-access read path — leaving all-zero chunks as holes, so a
    /// sparse 4 GiB file does not cost 4 GiB of disk.
    func write(to path: String, blobs: BlobReader = BlobReader()) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        let zeros = [UInt8](repeating: 0, count: chunk)
        var offset: UInt64 = 0
        while offset < size {
            let count = try buffer.withUnsafeMutableBytes { try read(at: offset, into: $0, blobs: blobs) }
            let piece = buffer[0..<count]
            // memcmp: a byte loop in a debug build takes minutes over 4.5 GiB.
            if memcmp(buffer, zeros, count) != 0 {
                try handle.seek(toOffset: offset)
                handle.write(Data(piece))
            }
            offset += UInt64(count)
        }
        try handle.truncate(atOffset: size)
    }
}

/// The GRUB payloads of shared/boot-testing.md, built once per test run by
/// Scripts/lib/payloads.sh (nothing binary is committed).
enum BootPayloads {
    static let folder = NSTemporaryDirectory() + "mediafs-iso-payloads"
    static let marker = "MEDIA-BOOT-OK"

    static func make() throws -> String {
        let result = try Tool.bash("set -e; source '\(repositoryRoot)/Scripts/lib/payloads.sh'; make_boot_payloads '\(folder)'")
        guard result.status == 0 else {
            throw NSError(domain: "payloads", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.error])
        }
        return folder
    }

    /// Boots `image` under qemu (`boot_qemu` of payloads.sh); true when the marker was printed.
    /// `seconds` cuts qemu short (a firmware with nothing to boot waits forever).
    static func boots(_ image: String, firmware: String, attach: String, log: String, seconds: Int = 120) throws -> Bool {
        // payloads.sh attaches a disk as `if=ide,readonly=on`, which qemu 7.2 refuses
        // ("Block node is read-only"); a snapshot keeps the image unchanged instead.
        let script = """
            source '\(repositoryRoot)/Scripts/lib/payloads.sh'
            timeout() {
              shift
              local args=()
              for a in "$@"; do args+=("${a/if=ide,format=raw,readonly=on,/if=ide,format=raw,snapshot=on,}"); done
              command timeout \(seconds) "${args[@]}"
            }
            boot_qemu '\(log)' \(firmware) \(attach) '\(image)'
            """
        return try Tool.bash(script).status == 0
    }
}

/// A tree of in-memory files with fixed times: reproducible anywhere.
func memoryTree(_ files: [(String, [UInt8])], label: String, time: Int64 = 1_700_000_000) throws -> MediaTree {
    var builder = MediaTreeBuilder()
    for (path, bytes) in files {
        let parts = path.split(separator: "/")
        let folder = parts.dropLast().joined(separator: "/")
        try builder.add(MediaFile(name: String(parts.last ?? ""), source: .bytes(SharedBytes(bytes)),
                                  modified: Timestamp(seconds: time)), in: folder)
    }
    return builder.build(label: label, defaultTime: Timestamp(seconds: time))
}

/// SHA-256 by the system's sha256sum (the test target does not link Crypto).
func sha256(file path: String) throws -> String {
    let result = try Tool.run("sha256sum", [path])
    return String(result.output.prefix(64))
}
