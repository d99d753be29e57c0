import Foundation
import Glibc
import XCTest
import MediaTree
import RegionMap
@testable import FATImage

/// Helpers shared by the FAT tests: temp folders, writing a layout to a file
/// the way the exporter walks it, and running the independent checkers.
enum Support {
    /// The repository (for Scripts/lib/payloads.sh and the golden files).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Support.swift, FATImageTests, Tests
        return url.path
    }()

    static let goldenFolder = repositoryRoot + "/Tests/FATImageTests/Golden"

    static func temporaryFolder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "fatimage-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw SupportError("cannot create \(path)")
        }
    }

    /// Writes `layout[from...]` to `path` as the exporter does: segments in
    /// order, each copied with `Segment.copy`, 1 MiB at a time. Zero segments
    /// and all-zero chunks are left as holes, so a 16 GB image costs nothing.
    static func writeLayout(_ layout: Layout, from start: UInt64 = 0, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else { throw SupportError("cannot create \(path)") }
        defer { try? handle.close() }
        let blobs = BlobReader()
        let chunk: UInt64 = 1 << 20
        var buffer = [UInt8](repeating: 0, count: Int(chunk))
        let zeros = [UInt8](repeating: 0, count: Int(chunk))
        let holes = HoleFinder()
        var position = start
        while position < layout.size {
            let count = min(chunk, layout.size - position)
            var filled = 0
            var anyData = false
            try buffer.withUnsafeMutableBytes { raw in
                try layout.forEachSegment(offset: position, count: count) { segment in
                    let length = Int(segment.length)
                    let target = UnsafeMutableRawBufferPointer(rebasing: raw[filled ..< filled + length])
                    filled += length
                    guard let base = target.baseAddress else { return }
                    var hole = false
                    if case .blob(let blob, let offset, let length) = segment {
                        hole = holes.isHole(blob.path, offset: offset, length: length)
                    }
                    if case .zeros = segment { hole = true }
                    if hole {
                        _ = memset(base, 0, length)   // libc: fast in debug builds too
                        return
                    }
                    try segment.copy(into: target, blobs: blobs)
                    let allZero = zeros.withUnsafeBytes { z in z.baseAddress.map { memcmp(base, $0, length) == 0 } ?? false }
                    anyData = anyData || !allZero
                }
            }
            if anyData {
                try handle.seek(toOffset: position - start)
                handle.write(Data(buffer[0 ..< filled]))
            }
            position += count
        }
        try handle.truncate(atOffset: layout.size - start)
    }

    struct ToolResult {
        let status: Int32
        let output: String
    }

    /// Runs a command with stdout and stderr together in `output`. A missing
    /// tool is a failure (the tools are installed by Scripts/test), never a skip.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:],
                    directory: String? = nil) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        var env = ProcessInfo.processInfo.environment
        env["MTOOLS_SKIP_CHECK"] = nil    // mtools must run its own consistency checks
        env["LANG"] = "C.UTF-8"           // long names in and out as UTF-8
        env["LC_ALL"] = "C.UTF-8"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let logPath = NSTemporaryDirectory() + "fatimage-tool-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw SupportError("cannot create \(logPath)") }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try log.close()
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        if process.terminationReason == .exit, process.terminationStatus == 127 {
            throw SupportError("\(tool) is not installed (Scripts/test installs it): \(output)")
        }
        return ToolResult(status: process.terminationStatus, output: output)
    }

    /// `bash -c script`: for pipelines (mtype | cmp).
    @discardableResult
    static func bash(_ script: String) throws -> ToolResult {
        try run("bash", ["-o", "pipefail", "-c", script], directory: repositoryRoot)
    }

    /// `fsck.fat -n` must exit 0 and print nothing but its banner and the
    /// summary line: any other line is a complaint (fsck.fat -n exits 0 on
    /// some of them, e.g. a wrong free-cluster count).
    ///
    /// `chainOverflow` names files of more than 4 GiB minus one cluster, on
    /// which dosfstools 4.2 complains wrongly: it multiplies the cluster count
    /// by the cluster size in 32 bits, so a chain of exactly 4 GiB reads as 0
    /// bytes ("cluster chain length is 0 bytes"). mkfs.fat + mcopy images get
    /// the same complaint for the same file. Only that exact complaint, for
    /// those files, is tolerated; the file's bytes are checked by mtools and 7-Zip.
    static func assertFsckClean(_ volumePath: String, chainOverflow: [(path: String, size: UInt64)] = [],
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run("fsck.fat", ["-n", volumePath])
        var lines = result.output.split(separator: "\n").map(String.init)
        var tolerated = false
        for big in chainOverflow {
            let complaint = ["/" + big.path, "  File size is \(big.size) bytes, cluster chain length is 0 bytes.",
                             "  Truncating file to 0 bytes."]
            if let at = lines.firstIndex(of: complaint[0]), lines[at...].starts(with: complaint) {
                lines.removeSubrange(at ..< at + complaint.count)
                tolerated = true
            }
        }
        if tolerated, let at = lines.firstIndex(of: "Leaving filesystem unchanged.") { lines.remove(at: at) }
        XCTAssertEqual(result.status, tolerated ? 1 : 0, "fsck.fat -n exit status; output:\n\(result.output)",
                       file: file, line: line)
        let complaints = lines.filter { line in
            !(line.hasPrefix("fsck.fat ") && line.hasSuffix(")"))
                && !(line.hasPrefix(volumePath + ": ") && line.contains(" files, ") && line.contains(" clusters"))
        }
        XCTAssertEqual(complaints, [], "fsck.fat -n complained:\n\(result.output)", file: file, line: line)
        XCTAssertTrue(lines.contains { $0.hasPrefix(volumePath + ": ") }, "no fsck.fat summary:\n\(result.output)",
                      file: file, line: line)
    }

    /// `diff -r` of two folders: same names, same bytes, nothing missing or extra.
    static func assertSameFolder(_ expected: String, _ actual: String, what: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run("diff", ["-r", "--no-dereference", expected, actual])
        XCTAssertEqual(result.status, 0, "\(what) differs from the tree:\n\(result.output.prefix(4000))", file: file, line: line)
    }

    /// Extracts the volume's files with mtools (`-i IMAGE[@@offset]`) and 7-Zip,
    /// and compares each with `folder`.
    static func assertExtractsEqual(image: String, offset: UInt64?, folder: String,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let work = try temporaryFolder("extract")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let mtoolsOut = work + "/mtools", sevenOut = work + "/7z"
        try FileManager.default.createDirectory(atPath: mtoolsOut, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: sevenOut, withIntermediateDirectories: true)
        let target = offset.map { "\(image)@@\($0)" } ?? image
        let mcopy = try run("mcopy", ["-s", "-n", "-i", target, "::/", mtoolsOut + "/"])
        XCTAssertEqual(mcopy.status, 0, "mcopy failed:\n\(mcopy.output)", file: file, line: line)
        XCTAssertFalse(mcopy.output.contains("rror"), "mcopy complained:\n\(mcopy.output)", file: file, line: line)
        try assertSameFolder(folder, mtoolsOut, what: "mcopy's extraction", file: file, line: line)
        let sevenZip = try run("7z", ["x", "-y", "-o" + sevenOut, image])
        XCTAssertEqual(sevenZip.status, 0, "7z x failed:\n\(sevenZip.output)", file: file, line: line)
        try assertSameFolder(folder, sevenOut, what: "7-Zip's extraction", file: file, line: line)
    }

    /// Random reads through the region map (`Layout.read`) equal the written image.
    static func assertRandomReadsMatch(_ layout: Layout, image: String, count: Int = 200,
                                       file: StaticString = #filePath, line: UInt = #line) throws {
        guard let handle = FileHandle(forReadingAtPath: image) else { throw SupportError("cannot open \(image)") }
        defer { try? handle.close() }
        let blobs = BlobReader()
        var rng = SystemRandomNumberGenerator()
        for i in 0..<count {
            let length = Int.random(in: 1...(i % 4 == 0 ? 300_000 : 5000), using: &rng)
            let offset = UInt64.random(in: 0..<layout.size, using: &rng)
            let fromLayout = try layout.read(at: offset, count: length, blobs: blobs)
            try handle.seek(toOffset: offset)
            let fromFile = [UInt8](handle.readData(ofLength: fromLayout.count))
            if fromLayout != fromFile {
                XCTFail("read of \(length) bytes at \(offset) differs from the written image", file: file, line: line)
                return
            }
        }
    }

    /// A tree of in-memory files: (path, bytes) with one fixed time.
    static func tree(_ files: [(String, [UInt8])], folders: [String] = [], label: String,
                     time: Timestamp = Timestamp(seconds: 1_700_000_000)) throws -> MediaTree {
        var builder = MediaTreeBuilder()
        for folder in folders { try builder.addFolder(folder, modified: time) }
        for (path, bytes) in files {
            let parts = path.split(separator: "/").map(String.init)
            let folder = parts.dropLast().joined(separator: "/")
            try builder.add(MediaFile(name: parts.last ?? path, source: .bytes(SharedBytes(bytes)), modified: time),
                            in: folder)
        }
        return builder.build(label: label, defaultTime: time)
    }

    /// Peak resident set of this process, in KiB (VmHWM).
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}

/// Tells a hole of a sparse file (SEEK_DATA), so test images of sparse 4 GiB
/// files are written without reading gigabytes of zeros.
final class HoleFinder {
    private var files: [String: Int32] = [:]

    deinit { for fd in files.values { close(fd) } }

    func isHole(_ path: String, offset: UInt64, length: UInt64) -> Bool {
        let fd: Int32
        if let known = files[path] {
            fd = known
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            files[path] = fd
        }
        let seekData: Int32 = 3   // SEEK_DATA (Linux), which Glibc does not export to Swift
        let data = lseek(fd, off_t(offset), seekData)
        if data < 0 { return errno == ENXIO }      // no data from offset to the end
        return UInt64(data) >= offset + length
    }
}

struct SupportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
