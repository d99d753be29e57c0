import Crypto
import RegionMap
@testable import MediaTree
import XCTest

/// The tree builder's refusals and order, the fast paths of the name rules,
/// and the fingerprint's byte stream (image serials come from it: it must not
/// change when the code that computes it does).
final class TreeBuilderTests: XCTestCase {
    private let t = Timestamp(seconds: 1_700_000_000, nanoseconds: 5)

    private func file(_ name: String, _ text: String = "x", time: Timestamp? = nil) -> MediaFile {
        MediaFile(name: name, source: .bytes(SharedBytes(Array(text.utf8))), modified: time ?? t, attributes: .archive)
    }

    func testChildrenAreInUTF8OrderAndALaterFileReplaces() throws {
        var b = MediaTreeBuilder()
        for name in ["b", "a.b", "é", "Z", "a-1", "a"] { try b.add(file(name), in: "d") }
        try b.addFolder("d/a0")
        try b.add(file("a.b", "second"), in: "d")
        let tree = b.build(label: "L", defaultTime: Timestamp(seconds: 0))
        guard case .directory(let d)? = tree.node(at: "d") else { return XCTFail("no folder d") }
        XCTAssertEqual(d.children.map(\.name), ["Z", "a", "a-1", "a.b", "a0", "b", "é"])
        guard case .file(let f)? = tree.node(at: "d/a.b"), case .bytes(let s) = f.source else { return XCTFail("no d/a.b") }
        XCTAssertEqual(s.bytes, Array("second".utf8))
        guard case .directory(let empty)? = tree.node(at: "d/a0") else { return XCTFail("no d/a0") }
        XCTAssertEqual(empty.modified, Timestamp(seconds: 0), "an empty folder takes the default time")
        XCTAssertEqual(d.modified, t, "a folder takes its newest content's time")
    }

    func testRefusals() {
        func refused(_ body: (inout MediaTreeBuilder) throws(MediaTreeError) -> Void, _ expected: MediaTreeError,
                     line: UInt = #line) {
            var b = MediaTreeBuilder()
            do {
                try body(&b)
                XCTFail("not refused: \(expected)", line: line)
            } catch {
                XCTAssertEqual(error, expected, line: line)
            }
        }
        refused({ b throws(MediaTreeError) in try b.addFolder("x/sub"); try b.add(file("sub"), in: "x") },
                .fileOverFolder(path: "x/sub"))
        refused({ b throws(MediaTreeError) in try b.add(file("sub"), in: "x"); try b.add(file("f"), in: "x/sub") },
                .fileOverFolder(path: "x/sub"))
        refused({ b throws(MediaTreeError) in try b.add(file("a\\b"), in: "x") },
                .badName(path: "x/a\\b", problem: "it contains '\\', which mediafs cannot hold"))
        refused({ b throws(MediaTreeError) in try b.add(file("f"), in: "x/bell\u{7}/y") },
                .badName(path: "x/bell\u{7}", problem: "it contains a control character (U+0007)"))
        refused({ b throws(MediaTreeError) in try b.add(file(".."), in: "x") },
                .badName(path: "x/..", problem: "'..' is not a name"))
    }

    /// Names only some targets can hold are the image producers' to refuse:
    /// the tree holds them, and names that differ only in case, side by side.
    func testTheTreeHoldsWhatSomeTargetCan() throws {
        var b = MediaTreeBuilder()
        for name in ["a;1", "a:b", "A.txt", "a.TXT", "ends.", "Ärger", "äRGER", "emoji😀"] { try b.add(file(name), in: "x") }
        try b.addFolder("x/Sub")
        try b.addFolder("x/sub")
        let tree = b.build(label: "L", defaultTime: t)
        guard case .directory(let x)? = tree.node(at: "x") else { return XCTFail("no folder x") }
        XCTAssertEqual(x.children.map(\.name), ["A.txt", "Sub", "a.TXT", "a:b", "a;1", "emoji😀", "ends.", "sub", "Ärger", "äRGER"])
        XCTAssertEqual(NameRules.anyTarget.firstViolation(in: tree, caseInsensitive: false), nil)
        XCTAssertEqual(NameRules.anyTarget.firstViolation(in: tree, caseInsensitive: true),
                       NameRules.Violation(path: "x/a.TXT", kind: .caseCollision(first: "x/A.txt")))
    }

    /// The rules as they were written before their ASCII fast path.
    private func referenceProblem(_ name: String, _ rules: NameRules) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name == "." || name == ".." { return "'\(name)' is not a name" }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { return "control" }
            if rules.forbidden.contains(scalar) { return "forbidden" }
            if !rules.allowsBeyondUCS2 && scalar.value > 0xFFFF { return "UCS-2" }
        }
        if !rules.allowsTrailingDotOrSpace && (name.hasSuffix(".") || name.hasSuffix(" ")) { return "ends" }
        if name.utf16.count > rules.maximumLength { return "long" }
        return nil
    }

    func testNameRulesFastPathsAgreeWithTheRules() {
        var names = ["", ".", "..", "...", "a.", "a ", " a", "a", "A b.TXT", "x\u{7F}", "tab\t", "ß", "straße", "Ärger",
                     "e\u{301}", "a\u{301}.", "emoji😀", String(repeating: "n", count: 103), String(repeating: "n", count: 104),
                     String(repeating: "é", count: 103), String(repeating: "é", count: 104), "~$!@#%^&()_+-=[]{}',`",
                     String(repeating: "n", count: 255), String(repeating: "n", count: 256)]
        for c in 0..<128 { names.append("n" + String(UnicodeScalar(UInt8(c))) + "n") }
        // Rule sets unlike each other, as the image producers define theirs.
        let ruleSets = [NameRules.anyTarget,
                        NameRules(target: "T", forbidden: ["\"", "*", "/", ":", ";", "<", ">", "?", "\\", "|"],
                                  maximumLength: 103, allowsBeyondUCS2: false, allowsTrailingDotOrSpace: false),
                        NameRules(target: "U", forbidden: [" ", "A", "~"], maximumLength: 255,
                                  allowsBeyondUCS2: true, allowsTrailingDotOrSpace: false)]
        for rules in ruleSets {
            for name in names {
                XCTAssertEqual(rules.problem(with: name) == nil, referenceProblem(name, rules) == nil, "\(rules.target): '\(name)'")
            }
        }
        for name in names { XCTAssertEqual(NameRules.caseFolded(name), name.uppercased(), "'\(name)'") }
        XCTAssertEqual(ruleSets[1].problem(with: "a.b;c"), "it contains ';', which T cannot hold")
        XCTAssertNil(NameRules.anyTarget.problem(with: "a.b;c"))
    }

    /// The fingerprint as first written: one hasher update per string.
    private func referenceFingerprint(_ tree: MediaTree) -> [UInt8] {
        var hasher = SHA256()
        func add(_ s: String) { hasher.update(data: Array(s.utf8) + [0]) }
        add(tree.label)
        add("\(tree.root.modified.seconds).\(tree.root.modified.nanoseconds)")
        tree.forEachNode { path, node in
            add(path)
            add("\(node.modified.seconds).\(node.modified.nanoseconds)")
            if case .file(let f) = node {
                add("\(f.size) \(f.attributes.rawValue)")
                switch f.source {
                case .blob(let b): add(b.sha256 ?? b.path)
                case .bytes(let s): hasher.update(data: s.bytes)
                }
            }
        }
        return Array(hasher.finalize())
    }

    func testTheFingerprintHashesTheStreamItAlwaysHashed() throws {
        var b = MediaTreeBuilder()
        try b.add(file("MediaLabel.txt", "label=X\r\n", time: Timestamp(seconds: -12_345, nanoseconds: 999_999_900)), in: "")
        try b.add(MediaFile(name: "big.wim", source: .blob(Blob(path: "/lib/FileLib/ABCD/ABCD", size: UInt64.max, sha256: "ABCD")),
                            modified: Timestamp(seconds: Int64.min + 1), attributes: FileAttributes(rawValue: 0xFFFF_FFFF), package: "ABC00001"),
                  in: "SMS/PKG/ABC00001")
        try b.add(MediaFile(name: "plain", source: .blob(Blob(path: "/src/plain", size: 0)), modified: Timestamp(seconds: 0)), in: "é/ü")
        for i in 0..<5000 { try b.add(file("f\(i).bin", String(repeating: "y", count: i % 7)), in: "many/d\(i % 13)") }
        let tree = b.build(label: "Configuration Manager", defaultTime: Timestamp(seconds: 86_400))
        XCTAssertEqual(tree.fingerprint, referenceFingerprint(tree))
        let empty = MediaTreeBuilder().build(label: "", defaultTime: Timestamp(seconds: 0))
        XCTAssertEqual(empty.fingerprint, referenceFingerprint(empty))
    }
}

/// `Timestamp.description` as first written, with string interpolation.
final class TimestampTextTests: XCTestCase {
    private func reference(_ t: Timestamp) -> String {
        let u = t.utc
        func pad(_ v: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(v).count)) + String(v) }
        var s = "\(pad(u.year, 4))-\(pad(u.month, 2))-\(pad(u.day, 2))T\(pad(u.hour, 2)):\(pad(u.minute, 2)):\(pad(u.second, 2))"
        if t.nanoseconds != 0 {
            var fraction = pad(Int(t.nanoseconds), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            s += "." + fraction
        }
        return s + "Z"
    }

    func testTheTextIsTheSameAsBefore() {
        XCTAssertEqual(Timestamp(seconds: 1_795_000_000, nanoseconds: 120_000_000).description, "2026-11-18T11:06:40.12Z")
        let seconds: [Int64] = [0, 1, -1, 59, 86_399, 951_782_400, 1_795_000_000, -11_644_473_600, -62_135_596_800,
                                253_402_300_799, 253_402_300_800, -62_198_755_200]
        let nanoseconds: [Int32] = [0, 1, 100, 999_999_900, 500_000_000, 10, -5]
        for s in seconds {
            for n in nanoseconds {
                let t = Timestamp(seconds: s, nanoseconds: n)
                XCTAssertEqual(t.description, reference(t), "\(s) \(n)")
            }
        }
    }
}
