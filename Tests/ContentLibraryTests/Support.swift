import Foundation
import XCTest
@testable import ContentLibrary

/// SHA-256 test vectors (FIPS 180-2), so the tests check hashes against values
/// computed by someone else, not by the code under test.
enum Vectors {
    static let abc = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
    static let empty = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
    /// SHA-256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
    static let long = "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1"
    static let longText = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
}

/// A fresh folder under the system's temporary folder, removed when the test ends.
func makeTemporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "mediafs-library-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Writes `bytes` at `path`, creating parent folders.
func write(_ path: String, _ bytes: [UInt8]) throws {
    let parent = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
}

func write(_ path: String, _ text: String) throws {
    try write(path, Array(text.utf8))
}

/// An INI file as Windows writes it: BOM and CRLF.
func windowsINI(_ lines: [String]) -> [UInt8] {
    [0xEF, 0xBB, 0xBF] + Array(lines.map { $0 + "\r\n" }.joined().utf8)
}

func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

func exists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: path)
}

func setModified(_ path: String, unixSeconds: Double) throws {
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: unixSeconds)], ofItemAtPath: path)
}

/// Asserts `body` throws a ContentLibraryError whose message names `path`.
func assertRefused<T>(_ body: @autoclosure () throws -> T, naming path: String, _ words: String = "",
                      file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertTrue(error is ContentLibraryError, "not a ContentLibraryError: \(error)", file: file, line: line)
        let message = "\(error)"
        XCTAssertTrue(message.contains(path), "'\(message)' does not name \(path)", file: file, line: line)
        if !words.isEmpty {
            XCTAssertTrue(message.contains(words), "'\(message)' does not say '\(words)'", file: file, line: line)
        }
    }
}
