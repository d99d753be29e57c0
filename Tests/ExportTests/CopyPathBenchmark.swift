import Foundation
import RegionMap
import SystemIO
import XCTest

@testable import Export

/// The copy-path measurement behind `CopyPath.automatic`, run by
/// `Scripts/bench copy-paths` (it sets MEDIAFS_BENCH_CORPUS; without it the
/// test only checks that it could run, on a tiny corpus).
///
/// The layout is the corpus's files one after another, each padded to 2 KiB
/// with zeros — the shape of an ISO image's data area, without depending on
/// a producer. Every path writes it into one file (then fsync), alternating
/// A B C … A B C …, and the medians are compared with the copy floor (`cat`
/// of every file into one, then `sync`) measured in the same rounds.
final class CopyPathBenchmark: XCTestCase {
    func testCopyPathsSideBySide() throws {
        let environment = ProcessInfo.processInfo.environment
        let scratch = try Scratch()
        let corpus: String
        if let given = environment["MEDIAFS_BENCH_CORPUS"] {
            corpus = given
        } else {
            corpus = scratch.path + "/corpus"
            try FileSystem.createDirectory(corpus + "/small")
            for i in 0 ..< 20 {
                try FileSystem.writeAtomically(corpus + "/small/f\(i).bin", bytes: patternBytes(4096 * (i + 1), seed: UInt64(i)), sync: false)
            }
        }
        let rounds = Int(environment["MEDIAFS_BENCH_ROUNDS"] ?? "") ?? 1
        let outFolder = environment["MEDIAFS_BENCH_OUT"] ?? scratch.path

        let files = try runTool("find", [corpus, "-type", "f"]).split(separator: "\n").map(String.init).sorted()
        var builder = LayoutBuilder()
        for file in files {
            guard let st = try FileSystem.status(file) else { continue }
            builder.append(blob: Blob(path: file, size: st.size))
            builder.pad(toMultipleOf: 2048)
        }
        let layout = builder.build()
        let listFile = scratch.path + "/files.txt"
        try FileSystem.writeAtomically(listFile, bytes: Array(files.joined(separator: "\n").utf8), sync: false)

        struct Contender { let name: String; let run: () throws -> Void }
        let out = outFolder + "/bench-out.img"
        func export(_ path: CopyPath, buffer: Int, verify: Bool) -> () throws -> Void {
            {
                var options = exportOptions(verify: verify, path: path, buffer: buffer)
                options.progress = .none
                _ = try Exporter(options: options, message: { _ in }).export([ExportImage(layout: layout, output: out)])
            }
        }
        let contenders = [
            Contender(name: "copy floor (cat > file; sync)") {
                try tool("sh", "-c", "xargs -d '\\n' cat < '\(listFile)' > '\(out)'; sync")
            },
            Contender(name: "read-write 128 KiB", run: export(.readWrite, buffer: 128 << 10, verify: false)),
            Contender(name: "read-write 1 MiB", run: export(.readWrite, buffer: 1 << 20, verify: false)),
            Contender(name: "read-write 4 MiB", run: export(.readWrite, buffer: 4 << 20, verify: false)),
            Contender(name: "copy_file_range", run: export(.copyRange, buffer: 1 << 20, verify: false)),
            Contender(name: "sendfile", run: export(.sendfile, buffer: 1 << 20, verify: false)),
            Contender(name: "read-write 1 MiB + verify + image SHA-256", run: export(.readWrite, buffer: 1 << 20, verify: true)),
        ]
        var times = Array(repeating: [Double](), count: contenders.count)
        let clock = ContinuousClock()
        for _ in 0 ..< rounds {
            for (i, c) in contenders.enumerated() {
                try? FileSystem.remove(out)
                try tool("sync")
                let start = clock.now
                try c.run()
                times[i].append(ProgressReporter.seconds(clock.now - start))
            }
        }
        try? FileSystem.remove(out)
        let floor = median(times[0])
        var report = "copy paths: \(files.count) files, \(layout.size) bytes, \(rounds) alternating rounds, medians\n"
        for (i, c) in contenders.enumerated() {
            let m = median(times[i])
            report += "  \(c.name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(String(format: "%6.2f s  %5.2fx", m, m / floor))"
            report += "   [" + times[i].map { String(format: "%.2f", $0) }.joined(separator: " ") + "]\n"
        }
        print(report)
        if let reportPath = environment["MEDIAFS_BENCH_REPORT"] {
            try FileSystem.writeAtomically(reportPath, bytes: Array(report.utf8), sync: false)
        }
    }

    private func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
