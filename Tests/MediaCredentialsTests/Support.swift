import Foundation
import XCTest
@testable import MediaCredentials

/// Outside tools (openssl, python3) as independent implementations. A missing
/// tool fails the test (`/usr/bin/env` exits 127), it never skips it.
enum Tool {
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String], input: [UInt8]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        process.environment = environment
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if let input {
            inPipe.fileHandleForWriting.write(Data(input))
            try inPipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus,
                      output: String(decoding: outData, as: UTF8.self),
                      error: String(decoding: errData, as: UTF8.self))
    }

    /// Runs `tool` and fails the test (with its output) unless it exits 0.
    @discardableResult
    static func check(_ tool: String, _ arguments: [String], input: [UInt8]? = nil,
                      file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(tool, arguments, input: input)
        XCTAssertEqual(result.status, 0, "\(tool) \(arguments.joined(separator: " ")) failed:\n\(result.output.suffix(3000))\n\(result.error.suffix(3000))",
                       file: file, line: line)
        return result.output + result.error
    }
}

enum Scratch {
    /// A new empty folder under the system temporary folder.
    static func folder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "mediafs-credentials-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// One RSA key and certificate for the tests that need any (key generation is slow).
enum Fixture {
    static let key: MediaKey = {
        do { return try MediaKey.generate() } catch { fatalError("cannot generate a test key: \(error)") }
    }()
    static let notBefore: Int64 = 1_767_225_600   // 2026-01-01T00:00:00Z
    static let notAfter: Int64 = 1_798_761_600    // 2027-01-01T00:00:00Z
    static let commonName = "mediafs media {5F8225E8-6B94-4830-AD90-0F88FC2B3536}"
    static let seed = Array("{5F8225E8-6B94-4830-AD90-0F88FC2B3536}".utf8)
    /// The first 31 characters of the media GUID, as Configuration Manager's PFX password.
    static let password = "{5F8225E8-6B94-4830-AD90-0F88FC"

    static func certificate() throws -> [UInt8] {
        try SelfSignedCertificate.make(key: key, commonName: commonName, notBefore: notBefore,
                                       notAfter: notAfter, seed: seed)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace && $0 != ":" })
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
}
