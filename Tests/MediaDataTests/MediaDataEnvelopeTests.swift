import Foundation
import XCTest
@testable import MediaData

final class MediaDataEnvelopeTests: XCTestCase {
    let variables: [(name: String, value: String)] = [
        ("_SMSMediaGuid", "{5F8225E8-6B94-4830-AD90-0F88FC2B3536}"),
        ("Tricky", "a]]>b <&> \"quoted\" 'single' ]]]]> ü € 𝄞"),
        ("Empty", ""),
        ("SMSTSMP", "http://mp1.contoso.com"),
    ]

    func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// The reference's known answer (from the hashcat module's self-test): Password1, AES-128,
    /// a plaintext starting with UTF-16LE `<?xml ve` → the first ciphertext block.
    func testKnownAnswerFirstBlock() throws {
        let file = try MediaDataEnvelope.encrypt(MediaVariableList.encode(variables), password: "Password1", cipher: .aes128)
        XCTAssertEqual(hex(file[24..<40]), "11cb54aa3b699f61f86ab312e6fb97ec")
    }

    func testHeaderAndTrailer() throws {
        let plaintext = MediaVariableList.encode(variables)
        let file = try MediaDataEnvelope.encrypt(plaintext, password: "x", cipher: .aes256)
        func word(_ o: Int) -> UInt32 { file[o..<o + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        XCTAssertEqual(Array(file[0..<4]), [0x00, 0x00, 0xED, 0xEC])
        XCTAssertEqual(word(4), 20)
        XCTAssertEqual(Int(word(8)), plaintext.count)
        let cipherLength = Int(word(12))
        XCTAssertEqual(cipherLength, (plaintext.count / 16 + 1) * 16)
        XCTAssertEqual(word(16), 0x6610)
        XCTAssertEqual(word(20), 0)
        XCTAssertEqual(file.count, 24 + cipherLength + 16)
        XCTAssertEqual(Array(file.suffix(16)), [UInt8](repeating: 0, count: 16))
    }

    func testRoundTripBothCiphers() throws {
        for cipher in MediaDataCipher.allCases {
            let file = try MediaDataEnvelope.encrypt(MediaVariableList.encode(variables), password: "s3cret €", cipher: cipher)
            let (plaintext, found) = try MediaDataEnvelope.decrypt(file, password: "s3cret €", source: "V.dat")
            XCTAssertEqual(found, cipher)
            let decoded = try MediaVariableList.decode(plaintext, source: "V.dat")
            XCTAssertEqual(decoded.root, "MediaVarList")
            XCTAssertEqual(decoded.variables.map(\.name), variables.map(\.name))
            XCTAssertEqual(decoded.variables.map(\.value), variables.map(\.value))
        }
    }

    func testPlaintextShape() throws {
        let plaintext = MediaVariableList.encode([("A", "x]]>y")])
        XCTAssertEqual(Array(plaintext.prefix(4)), [0x3C, 0x00, 0x3F, 0x00], "no byte-order mark, <? first")
        XCTAssertEqual(Array(plaintext.suffix(2)), [0, 0], "a UTF-16 NUL at the end")
        let text = try MediaDataText.decode(plaintext, source: "p")
        XCTAssertEqual(text, "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<MediaVarList Version=\"4.00.5345.0000\">\r\n<var name=\"A\"><![CDATA[x]]]]><![CDATA[>y]]></var>\r\n</MediaVarList>\r\n")
    }

    func testWrongPasswordIsToldApart() throws {
        let file = try MediaDataEnvelope.encrypt(MediaVariableList.encode(variables), password: "right", cipher: .aes128)
        XCTAssertThrowsError(try MediaDataEnvelope.decrypt(file, password: "wrong", source: "SMS/data/Variables.dat")) { error in
            let e = error as! MediaDataError
            XCTAssertTrue(e.isWrongPassword)
            XCTAssertEqual(e.description, "SMS/data/Variables.dat: the password does not open it (wrong password, or the file is damaged)")
        }
        XCTAssertThrowsError(try MediaDataEnvelope.decrypt(file, password: MediaDataEnvelope.defaultPassword, source: "v"))
    }

    /// Every truncation, every single-byte change and random files: an error or some plaintext, never a crash.
    func testDamagedFilesThrowNeverCrash() throws {
        let plaintext = MediaVariableList.encode(variables)
        let file = try MediaDataEnvelope.encrypt(plaintext, password: "p", cipher: .aes128)
        for n in 0..<(file.count - 16) {
            XCTAssertThrowsError(try MediaDataEnvelope.decrypt(Array(file.prefix(n)), password: "p", source: "v"), "prefix \(n)")
        }
        for i in 0..<file.count {
            var damaged = file
            damaged[i] ^= 0x5A
            // No integrity check exists in the format: a changed ciphertext block may decrypt to other text.
            if let opened = try? MediaDataEnvelope.decrypt(damaged, password: "p", source: "v") {
                _ = try? MediaVariableList.decode(opened.plaintext, source: "v")
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var random = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if random.count >= 24 && Bool.random(using: &generator) { random.replaceSubrange(0..<4, with: MediaDataEnvelope.signature) }
            XCTAssertThrowsError(try MediaDataEnvelope.decrypt(random, password: "p", source: "v"))
            _ = try? MediaVariableList.decode(random, source: "v")
        }
        XCTAssertThrowsError(try MediaDataEnvelope.decrypt(Array("<?xml version".utf8), password: "p", source: "v")) {
            XCTAssertEqual(String(describing: $0), "v: is not an encrypted media data file (it does not start with 00 00 ED EC)")
        }
    }

    func testOtherCipherNamed() throws {
        var file = try MediaDataEnvelope.encrypt(MediaVariableList.encode(variables), password: "p", cipher: .aes128)
        file[16] = 0x03; file[17] = 0x66
        XCTAssertThrowsError(try MediaDataEnvelope.decrypt(file, password: "p", source: "v")) {
            XCTAssertTrue(String(describing: $0).hasPrefix("v: uses the cipher ALG_ID 0x6603 (3DES"))
        }
    }

    /// Files written by others may hold plain text values with entities, attributes in single quotes, empty elements.
    func testDecodesOtherWritersForms() throws {
        let text = "<?xml version=\"1.0\"?><!-- c --><MediaVarList><var name='A'>a &amp; b &lt;c&gt; &#x41;&#66;</var><var name=\"B\"/><var name=\"C\">x<![CDATA[<y>]]>z</var></MediaVarList>"
        let decoded = try MediaVariableList.decode(MediaDataText.encode(text), source: "v")
        XCTAssertEqual(decoded.variables.map(\.name), ["A", "B", "C"])
        XCTAssertEqual(decoded.variables.map(\.value), ["a & b <c> AB", "", "x<y>z"])
        for bad in ["<MediaVarList><var>x</var></MediaVarList>", "<MediaVarList><var name=\"A\">x", "<MediaVarList><other/></MediaVarList>",
                    "<MediaVarList><var name=\"A\">&bogus;</var></MediaVarList>", "", "<MediaVarList><var name=\"A\"><![CDATA[x</var></MediaVarList>"] {
            XCTAssertThrowsError(try MediaVariableList.decode(MediaDataText.encode(bad), source: "v"), bad)
        }
        // Characters XML cannot carry, literal or as references, name the variable (a NUL would
        // also cut the text where readers cut it: found by Scripts/fuzz media-data).
        for (bad, message) in [("<MediaVarList><var name=\"A\">x&#0;y</var></MediaVarList>", "variable A's value holds U+0000"),
                               ("<MediaVarList><var name=\"B&#1;\">x</var></MediaVarList>", "variable B's name holds U+0001"),
                               ("<MediaVarList><var name=\"C\"><![CDATA[\u{B}]]></var></MediaVarList>", "variable C's value holds U+000B")] {
            XCTAssertThrowsError(try MediaVariableList.decode(MediaDataText.encode(bad), source: "v")) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }

    func testKeyDerivationLengths() {
        XCTAssertEqual(MediaDataEnvelope.deriveKey(password: "Password1", length: 16).count, 16)
        let k32 = MediaDataEnvelope.deriveKey(password: "Password1", length: 32)
        XCTAssertEqual(k32.count, 32)
        XCTAssertEqual(Array(k32.prefix(16)), MediaDataEnvelope.deriveKey(password: "Password1", length: 16))
    }
}
