import Foundation
import SystemIO
import XCTest
@testable import WIMArchive

/// WIMArchive against WIMs made by wimlib-imagex (an independent writer: the
/// command-line tool, not our calls into the library), and against bytes that
/// are no WIM at all (never a crash).
final class WIMArchiveTests: XCTestCase {
    var work = ""

    override func setUpWithError() throws {
        work = try FileSystem.makeTemporaryDirectory(prefix: "mediafs-wimtest-")
    }

    override func tearDownWithError() throws {
        try? FileSystem.removeTree(work)
    }

    @discardableResult
    func shell(_ script: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "set -e; cd '\(work)'; " + script]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw NSError(domain: "shell", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "\(script): \(text)"]) }
        return text
    }

    /// A two-image WIM: image 1 x64 with boot files in Windows' case, image 2 x86 in odd case.
    func makeWIM(_ extra: String = "") throws -> String {
        try shell("""
            mkdir -p a/Windows/Boot/EFI a/Windows/Boot/DVD/PCAT b/windows/BOOT/dvd/pcat
            printf 'bootmgfw' > a/Windows/Boot/EFI/bootmgfw.efi
            head -c 300000 /dev/urandom > a/Windows/Boot/DVD/PCAT/boot.sdi
            printf 'etfs' > b/windows/BOOT/dvd/pcat/ETFSBOOT.COM
            wimlib-imagex capture a t.wim one --compress=lzx \(extra) >/dev/null
            wimlib-imagex append b t.wim two >/dev/null
            wimlib-imagex info t.wim 1 --image-property WINDOWS/ARCH=9 >/dev/null
            wimlib-imagex info t.wim 2 --image-property WINDOWS/ARCH=0 >/dev/null
            """)
        return work + "/t.wim"
    }

    func testImagesPropertiesAndFiles() throws {
        let path = try makeWIM()
        let wim = try WIMArchive(path: path, name: "t.wim")
        XCTAssertEqual(wim.imageCount, 2)
        XCTAssertEqual(try wim.architectureCode(image: 1), 9)
        XCTAssertEqual(try wim.architectureCode(image: 2), 0)
        XCTAssertEqual(try wim.property("NAME", image: 2), "two")

        // Case-insensitive folder lookup, the image's own spelling in the result.
        let entries = try XCTUnwrap(try wim.entries(under: "WINDOWS/boot", image: 2, recursive: true))
        let file = try XCTUnwrap(entries.first { !$0.isDirectory })
        XCTAssertEqual(file.path, "windows/BOOT/dvd/pcat/ETFSBOOT.COM")
        XCTAssertEqual(file.size, 4)
        XCTAssertNil(try wim.entries(under: "Windows/Nope", image: 1, recursive: false))

        // Bytes equal what wimlib-imagex extract gives.
        let one = try XCTUnwrap(try wim.entries(under: "Windows/Boot", image: 1, recursive: true)).filter { !$0.isDirectory }
        XCTAssertEqual(one.map(\.path).sorted(), ["Windows/Boot/DVD/PCAT/boot.sdi", "Windows/Boot/EFI/bootmgfw.efi"])
        let bytes = try wim.read(one.map(\.path), image: 1)
        try shell("mkdir x && wimlib-imagex extract t.wim 1 /Windows/Boot --dest-dir=x >/dev/null")
        for entry in one {
            let name = String(entry.path.dropFirst("Windows/".count))
            XCTAssertEqual(bytes[entry.path], try FileSystem.readFile(work + "/x/" + name), entry.path)
        }
        // The same through the in-memory opening (the fuzzing entry).
        let again = try WIMArchive.open(bytes: try FileSystem.readFile(path), name: "t.wim")
        XCTAssertEqual(try again.read(["Windows/Boot/EFI/bootmgfw.efi"], image: 1)["Windows/Boot/EFI/bootmgfw.efi"], Array("bootmgfw".utf8))
    }

    func testImageOutOfRangeNamesTheCount() throws {
        let wim = try WIMArchive(path: try makeWIM(), name: "t.wim")
        XCTAssertThrowsError(try wim.entries(under: "Windows", image: 3, recursive: false)) { error in
            XCTAssertEqual("\(error)", "t.wim: choose image 3: the WIM has 2 images (1–2)")
        }
    }

    func testSolidWIMIsRead() throws {
        let path = try makeWIM("--solid")
        let wim = try WIMArchive(path: path, name: "t.wim")
        XCTAssertEqual(try wim.read(["Windows/Boot/EFI/bootmgfw.efi"], image: 1)["Windows/Boot/EFI/bootmgfw.efi"], Array("bootmgfw".utf8))
    }

    func testNotAWIMTruncatedCorruptAndSplit() throws {
        let path = try makeWIM()
        let good = try FileSystem.readFile(path)
        XCTAssertThrowsError(try WIMArchive.open(bytes: Array(repeating: UInt8(ascii: "x"), count: 4096), name: "x.wim")) { error in
            XCTAssertTrue("\(error)".hasPrefix("x.wim: open: it is not a WIM file"), "\(error)")
        }
        XCTAssertThrowsError(try WIMArchive.open(bytes: Array(good.prefix(100)), name: "short.wim")) { error in
            XCTAssertTrue("\(error)".hasPrefix("short.wim: "), "\(error)")
        }
        // Truncated after the header: the tables are gone.
        XCTAssertThrowsError(try WIMArchive.open(bytes: Array(good.prefix(good.count / 2)), name: "half.wim"))
        XCTAssertThrowsError(try WIMArchive.open(bytes: Array(good.prefix(good.count / 2)), name: "half.wim")) { error in
            XCTAssertTrue("\(error)".contains("past the end of the") && "\(error)".contains("(truncated?)"), "\(error)")
        }
        // WIMSanity, before wimlib reserves memory for what the header claims.
        func patched(_ at: Int, _ value: UInt32) -> [UInt8] {
            var bytes = good
            for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
            return bytes
        }
        XCTAssertThrowsError(try WIMArchive.open(bytes: patched(44, 788_529_153), name: "count.wim")) { error in
            XCTAssertTrue("\(error)".contains("the header counts 788529153 images, but the blob table holds 2 image metadata"), "\(error)")
        }
        var claims = good  // the blob table's original size (header bytes 64-71) far beyond its stored size
        claims[64 + 4] = 0x10
        XCTAssertThrowsError(try WIMArchive.open(bytes: claims, name: "claims.wim")) { error in
            XCTAssertTrue("\(error)".contains("the uncompressed blob table says"), "\(error)")
        }
        // A split WIM's part.
        try shell("head -c 2000000 /dev/urandom > a/Windows/big.bin && wimlib-imagex capture a s.wim s >/dev/null && wimlib-imagex split s.wim p.swm 1 >/dev/null")
        XCTAssertThrowsError(try WIMArchive(path: work + "/p.swm", name: "p.swm")) { error in
            XCTAssertTrue("\(error)".contains("split WIM"), "\(error)")
        }
    }

    /// Arbitrary bytes, and a real WIM with bytes flipped anywhere: every open and read
    /// throws or succeeds, and never crashes (the fuzzing entry, in small).
    func testDamagedBytesNeverCrash() throws {
        let good = try FileSystem.readFile(try makeWIM())
        var generator = SystemRandomNumberGenerator()
        for round in 0..<150 {
            var bytes = good
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0...600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if round % 2 == 0 && bytes.count >= 8 { bytes.replaceSubrange(0..<8, with: Array("MSWIM\0\0\0".utf8)) }
            } else {
                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                    let at = Int.random(in: 0..<min(bytes.count, round % 2 == 0 ? 208 : bytes.count), using: &generator)
                    bytes[at] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            guard let wim = try? WIMArchive.open(bytes: bytes, name: "fuzz.wim") else { continue }
            for image in 0...wim.imageCount + 1 {
                _ = try? wim.architectureCode(image: image)
                if let entries = try? wim.entries(under: "Windows/Boot", image: image, recursive: true) {
                    _ = try? wim.read(entries.filter { !$0.isDirectory && $0.attributes & 0x400 == 0 }.map(\.path), image: image)
                }
            }
        }
    }
}
