import XCTest
@testable import ContentLibrary

final class INIFileTests: XCTestCase {
    private func parse(_ text: String, path: String = "test.INI") throws -> INIFile {
        try INIFile(parsing: Array(text.utf8), path: path)
    }

    func testCRLFBOMCaseCommentsBlankLinesUnknownKeys() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("; a comment\r\n\r\n[fILE]\r\n  size = 12 \r\n# another\r\nHASH=ab\r\nUnknown=x=y;z\r\n\r\n[Other]\r\nk=\r\n".utf8)
        let ini = try INIFile(parsing: bytes, path: "x.INI")
        XCTAssertEqual(ini.value("Size", in: "File"), "12")
        XCTAssertEqual(ini.value("hash", in: "file"), "ab")
        XCTAssertEqual(ini.value("unknown", in: "FILE"), "x=y;z", "a value is the rest of the line: no inline comments")
        XCTAssertEqual(ini.value("K", in: "other"), "")
        XCTAssertNil(ini.value("Size", in: "Other"))
        XCTAssertEqual(ini.sections.map(\.name), ["fILE", "Other"])
    }

    func testLFOnlyAndNoFinalNewline() throws {
        let ini = try parse("[Packages]\nABC00001.1=\nABC00001.2=")
        XCTAssertEqual(ini.section("packages")?.entries.map(\.key), ["ABC00001.1", "ABC00001.2"])
    }

    func testFirstOfARepeatedKeyCountsAndRepeatedSectionsMerge() throws {
        let ini = try parse("[A]\nk=1\nk=2\n[B]\n[a]\nj=3\n")
        XCTAssertEqual(ini.value("k", in: "A"), "1")
        XCTAssertEqual(ini.value("j", in: "A"), "3")
    }

    func testMalformedLinesNameFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("[File]\nSize=1\nthis is not a key\n", 3, "expected"),
            ("Size=1\n[File]\n", 1, "before any [section]"),
            ("[File\nSize=1\n", 1, "must end with ']'"),
            ("[]\n", 1, "empty section name"),
            ("[File]\n=1\n", 2, "empty key"),
        ]
        for (text, line, words) in cases {
            XCTAssertThrowsError(try parse(text, path: "/lib/DataLib/X/bad.INI")) { error in
                guard case let ContentLibraryError.malformedINI(path, errorLine, reason) = error else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(path, "/lib/DataLib/X/bad.INI")
                XCTAssertEqual(errorLine, line, text)
                XCTAssertTrue(reason.contains(words), reason)
                XCTAssertTrue("\(error)".hasPrefix("/lib/DataLib/X/bad.INI:\(line):"), "\(error)")
            }
        }
    }

    func testInvalidUTF8IsRefusedNamingTheFile() {
        let bytes: [UInt8] = Array("[Info]\nName=".utf8) + [0xC3, 0x28] + [10]
        XCTAssertThrowsError(try INIFile(parsing: bytes, path: "/lib/PkgLib/ABC00001.INI")) { error in
            XCTAssertEqual(error as? ContentLibraryError, .invalidUTF8(path: "/lib/PkgLib/ABC00001.INI", line: 2))
        }
        // Valid non-ASCII text is fine.
        XCTAssertEqual(try parse("[Info]\nName=Pilotes réseau\n").value("name", in: "info"), "Pilotes réseau")
    }

    func testSetAndRenderRoundTrip() throws {
        var ini = try parse("[Packages]\nABC00001.1=\n[Info]\nversion=1\nExtra=kept\n")
        ini.set("ABC00001.2", to: "", in: "Packages")
        ini.set("Version", to: "2", in: "Info")
        ini.set("Name", to: "Boot image (x64)", in: "Info")
        let text = String(decoding: ini.rendered(), as: UTF8.self)
        XCTAssertEqual(text, "[Packages]\r\nABC00001.1=\r\nABC00001.2=\r\n\r\n[Info]\r\nversion=2\r\nExtra=kept\r\nName=Boot image (x64)\r\n")
        XCTAssertEqual(try INIFile(parsing: ini.rendered(), path: "x"), ini)
    }
}
