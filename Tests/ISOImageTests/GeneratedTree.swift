import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// A folder of awkward content for the reader tests: deep folders, long and
/// Unicode names, names that collide once mangled, empty files and folders,
/// a folder of many entries (directory records over several sectors) and,
/// optionally, a sparse file over 4 GiB with marks around its extent borders.
enum GeneratedTree {
    static let deepPath = (1...12).map { "level\($0)" }.joined(separator: "/") + "/deep file.txt"
    static let name103 = String(repeating: "L", count: 90) + "-1234567.txt"   // 103 UTF-16 units
    static let unicodeNames = ["Ünïcödé ファイル.txt", "Привет мир/вложенный файл.txt", "中文目录/说明.txt"]
    static let bigPath = "big/large image.wim"
    /// 4.5 GiB: one full extent of 0xFFFFF800 bytes and a second, shorter one.
    static let bigSize: UInt64 = 4_831_838_208
    static let bigMarks: [UInt64] = [0, 0xFFFF_F800 - 7, 0xFFFF_F800, 1 << 32, 4_831_838_208 - 11]

    static func make(at root: String, big: Bool) throws {
        func put(_ path: String, _ text: String) throws { try Scratch.write(Array(text.utf8), to: root + "/" + path) }
        try put("readme.txt", "top level\n")
        try put(deepPath, "twelve levels down\n")
        try put("names/" + name103, "a 103-character name\n")
        try put("names/" + String(repeating: "n", count: 60) + ".longextension", "a long extension\n")
        try put("names/data.file.one.txt", "one\n")
        try put("names/DATA_FILE_ONE.TXT", "two\n")
        try put("names/no extension", "none\n")
        for (i, name) in unicodeNames.enumerated() { try put(name, "unicode \(i)\n") }
        try put("empty/zero.bin", "")
        try put("zero at root", "")
        try FileManager.default.createDirectory(atPath: root + "/empty folder/inner empty", withIntermediateDirectories: true)
        for i in 0..<150 {
            try put("many/entry number \(i) with a longer name to fill sectors.dat", String(repeating: "\(i) ", count: i * 37))
        }
        if big {
            try FileManager.default.createDirectory(atPath: root + "/big", withIntermediateDirectories: true)
            let path = root + "/" + bigPath
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            for mark in bigMarks {
                try handle.seek(toOffset: mark)
                handle.write(Data("MARK@\(mark)".utf8.prefix(11)))
            }
            try handle.truncate(atOffset: bigSize)
            try handle.close()
        }
    }

    /// The folder `source` with the boot payloads at the paths the options name.
    static func addBootFiles(to root: String, payloads: String) throws {
        for (from, to) in [("eltorito.img", "boot/grub/eltorito.img"), ("BOOTX64.EFI", "EFI/BOOT/BOOTX64.EFI"),
                           ("boot_hybrid.img", "boot/grub/boot_hybrid.img")] {
            try FileManager.default.createDirectory(atPath: (root + "/" + to as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: payloads + "/" + from, toPath: root + "/" + to)
        }
    }

    static func bootOptions(_ label: String) -> ISOOptions {
        ISOOptions(label: label, biosLoader: "boot/grub/eltorito.img", bootInfoTable: true, uefi: true,
                   hybridMBRCode: "boot/grub/boot_hybrid.img", hybrid: true)
    }
}

/// The checks every image (and every disc of a set) must pass with the outside readers.
enum Readers {
    /// isoinfo reads the descriptors and both hierarchies; the names are there.
    static func isoinfo(_ image: String, label: String, names: [String], primaryNames: [String] = [],
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let descriptors = try Tool.check("isoinfo", ["-d", "-i", image], file: file, line: line)
        XCTAssertTrue(descriptors.contains("Volume id: \(label)"), "isoinfo -d:\n\(descriptors)", file: file, line: line)
        XCTAssertTrue(descriptors.contains("Joliet with UCS level 3 found"), "isoinfo -d:\n\(descriptors)", file: file, line: line)
        // isoinfo prints Joliet names in Latin-1 at best: the names checked here are ASCII.
        let joliet = try Tool.check("isoinfo", ["-J", "-l", "-i", image], file: file, line: line)
        for name in names {
            XCTAssertTrue(joliet.contains(name), "isoinfo -J -l does not list \(name)", file: file, line: line)
        }
        let primary = try Tool.check("isoinfo", ["-l", "-i", image], file: file, line: line)
        for name in primaryNames {
            XCTAssertTrue(primary.contains(name), "isoinfo -l does not list \(name)", file: file, line: line)
        }
    }

    /// xorriso compares every file of the image with the folder: type, size,
    /// content, and which files exist. Without Rock Ridge the image has no
    /// permissions (xorriso shows 0555), so a difference in st_mode alone is
    /// expected; any other difference fails. `ignoringTimes` also lets times
    /// differ (a folder assembled by copying has new times).
    static func xorrisoCompare(_ image: String, with folder: String, ignoringTimes: Bool = false,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let output = try Tool.check("xorriso", ["-indev", image, "-compare_r", folder, "/"], file: file, line: line)
        let differences = output.split(separator: "\n").filter { $0.contains("' (DISK) :") || $0.contains("' (ISO) :") }
        let expected = [": st_mode  :"] + (ignoringTimes ? [": st_mtime :", ": st_ctime :", ": st_atime :"] : [])
        let unexpected = differences.filter { line in !expected.contains { line.contains($0) } }
        XCTAssertTrue(unexpected.isEmpty, "xorriso -compare_r:\n\(unexpected.prefix(40).joined(separator: "\n"))", file: file, line: line)
        XCTAssertFalse(output.contains("FAILURE"), "xorriso -compare_r:\n\(output.suffix(3000))", file: file, line: line)
        // The comparison did run over the files (one st_mode line per file and folder).
        XCTAssertFalse(differences.isEmpty, "xorriso -compare_r compared nothing:\n\(output.suffix(3000))", file: file, line: line)
    }

    /// 7-Zip extracts the image; the result equals the folder (the big file is compared streamed).
    static func sevenZip(_ image: String, equals folder: String, streamed: [String] = [], bootable: Bool, scratch: String,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let out = scratch + "/7z-out"
        Scratch.remove(out)
        var arguments = ["x", "-y", "-o" + out]
        for path in streamed { arguments.append("-x!" + path) }
        arguments.append(image)
        try Tool.check("7z", arguments, file: file, line: line)
        // 7-Zip shows the El Torito images of a bootable disc as [BOOT]/…: not part of the tree.
        let bootFolder = out + "/[BOOT]"
        XCTAssertEqual(FileManager.default.fileExists(atPath: bootFolder), bootable, "7z [BOOT] folder", file: file, line: line)
        Scratch.remove(bootFolder)
        var excludes: [String] = []
        for path in streamed { excludes += ["-x", (path as NSString).lastPathComponent] }
        let diff = try Tool.run("diff", ["-r"] + excludes + [folder, out])
        XCTAssertEqual(diff.status, 0, "7z extraction differs:\n\(diff.output.prefix(3000))\(diff.error.prefix(2000))", file: file, line: line)
        for path in streamed {
            let compare = try Tool.bash("7z x -so '\(image)' '\(path)' | cmp - '\(folder)/\(path)'")
            XCTAssertEqual(compare.status, 0, "7z x -so \(path) differs: \(compare.output) \(compare.error)", file: file, line: line)
        }
        Scratch.remove(out)
    }
}
