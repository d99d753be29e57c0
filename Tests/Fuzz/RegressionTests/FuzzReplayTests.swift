import Foundation
import XCTest
import FuzzTargets

/// Every seed of Tests/Fuzz/Corpus and every input a fuzzer ever crashed on
/// (Tests/Fuzz/Regressions/<target>/, one file each, named after what it
/// found) runs through its target on every `swift test`: a crash fixed once
/// stays fixed, and the seeds stay valid input for the targets.
final class FuzzReplayTests: XCTestCase {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    func replay(_ kind: String) throws -> Int {
        var count = 0
        for target in FuzzTarget.all {
            let folder = Self.fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.name)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names.sorted() {
                let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
                target.run(bytes)
                count += 1
            }
        }
        return count
    }

    func testEverySeedRuns() throws {
        XCTAssertGreaterThanOrEqual(try replay("Corpus"), FuzzTarget.all.count, "every target has seeds")
    }

    func testEveryTargetHasSeeds() {
        for target in FuzzTarget.all {
            let folder = Self.fuzzFolder.appendingPathComponent("Corpus").appendingPathComponent(target.name)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            XCTAssertFalse(names.isEmpty, "no seeds in Tests/Fuzz/Corpus/\(target.name)")
        }
    }

    func testEveryCrashFoundStaysFixed() throws {
        _ = try replay("Regressions")
    }
}
