import SystemIO  // Hex

/// THE plaintext inside a `Variables.dat` envelope: UTF-16LE XML without a
/// byte-order mark, ending with a UTF-16 NUL (public readers cut the text at the
/// last NUL). The root is the one published schema of the kind, Microsoft MDT's
/// media variables file; its Version is that file's. CRLF between elements.
///
///     <?xml version="1.0" encoding="utf-16"?>
///     <MediaVarList Version="4.00.5345.0000">
///     <var name="_SMSMediaGuid"><![CDATA[{5F8225E8-…}]]></var>
///     </MediaVarList>
public enum MediaVariableList {
    public static let rootElement = "MediaVarList"
    public static let version = "4.00.5345.0000"

    /// The plaintext bytes for `variables`, in the order given.
    public static func encode(_ variables: [(name: String, value: String)]) -> [UInt8] {
        var text = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<\(rootElement) Version=\"\(version)\">\r\n"
        for (name, value) in variables {
            text += "<var name=\"\(xmlEscape(name))\">\(cdata(value))</var>\r\n"
        }
        text += "</\(rootElement)>\r\n"
        return MediaDataText.encode(text)
    }

    /// A CDATA section holding `value`; a `]]>` inside is split across two sections.
    static func cdata(_ value: String) -> String {
        "<![CDATA[" + value.replacing("]]>", with: "]]]]><![CDATA[>") + "]]>"
    }

    /// The variables of a decrypted plaintext, in file order: every
    /// `<var name="…">` element, its value from CDATA sections and text with
    /// XML's entities (Configuration Manager's own files may use either).
    public static func decode(_ plaintext: [UInt8], source: String) throws(MediaDataError) -> (root: String, variables: [(name: String, value: String)]) {
        let text = try MediaDataText.decode(plaintext, source: source)
        var scanner = XMLScanner(text: Array(text.unicodeScalars), source: source)
        return try scanner.document()
    }
}

/// The text inside an envelope: UTF-16LE without a byte-order mark, then a UTF-16 NUL.
public enum MediaDataText {
    public static func encode(_ text: String) -> [UInt8] {
        MediaDataEnvelope.utf16LE(text + "\u{0}")
    }

    /// The text before the last NUL (as public readers cut it); a leading byte-order mark is dropped.
    public static func decode(_ plaintext: [UInt8], source: String) throws(MediaDataError) -> String {
        guard plaintext.count % 2 == 0 else {
            throw MediaDataError(source, "the decrypted text is \(plaintext.count) bytes, not whole UTF-16 code units")
        }
        var units: [UInt16] = []
        units.reserveCapacity(plaintext.count / 2)
        for i in stride(from: 0, to: plaintext.count, by: 2) { units.append(UInt16(plaintext[i]) | UInt16(plaintext[i + 1]) << 8) }
        if let lastNul = units.lastIndex(of: 0) { units.removeSubrange(lastNul...) }
        if units.first == 0xFEFF { units.removeFirst() }
        guard let text = String(validating: units, as: UTF16.self) else {
            throw MediaDataError(source, "the decrypted text is not valid UTF-16")
        }
        return text
    }
}

/// Just enough XML for a variables list: a declaration, comments, one root
/// element holding `var` elements. Anything else is a clear error, never a crash.
private struct XMLScanner {
    let text: [Unicode.Scalar]
    let source: String
    var i = 0

    init(text: [Unicode.Scalar], source: String) {
        self.text = text
        self.source = source
    }

    func fail(_ why: String) -> MediaDataError {
        MediaDataError(source, "the decrypted XML is not a variables list: \(why) (at character \(i))")
    }

    func starts(_ s: String) -> Bool {
        var j = i
        for c in s.unicodeScalars {
            guard j < text.count, text[j] == c else { return false }
            j += 1
        }
        return true
    }

    mutating func skip(_ s: String) -> Bool {
        guard starts(s) else { return false }
        i += s.unicodeScalars.count
        return true
    }

    mutating func skipSpace() {
        while i < text.count, " \t\r\n".unicodeScalars.contains(text[i]) { i += 1 }
    }

    mutating func skipPast(_ end: String) throws(MediaDataError) {
        while i < text.count {
            if skip(end) { return }
            i += 1
        }
        throw fail("\(end) is missing")
    }

    /// Declarations, comments and processing instructions between elements.
    mutating func skipMisc() throws(MediaDataError) {
        while true {
            skipSpace()
            if skip("<?") { try skipPast("?>") } else if skip("<!--") { try skipPast("-->") } else { return }
        }
    }

    mutating func name() throws(MediaDataError) -> String {
        var out = ""
        while i < text.count, !" \t\r\n/>=".unicodeScalars.contains(text[i]) {
            out.unicodeScalars.append(text[i])
            i += 1
        }
        if out.isEmpty { throw fail("a name is missing") }
        return out
    }

    /// The attributes of a start tag up to `>`; whether the tag closed itself (`/>`).
    mutating func attributes() throws(MediaDataError) -> ([String: String], selfClosing: Bool) {
        var result: [String: String] = [:]
        while true {
            skipSpace()
            if skip("/>") { return (result, true) }
            if skip(">") { return (result, false) }
            guard i < text.count else { throw fail("a tag is not closed") }
            let key = try name()
            skipSpace()
            guard skip("=") else { throw fail("attribute \(key) has no value") }
            skipSpace()
            guard i < text.count, text[i] == "\"" || text[i] == "'" else { throw fail("attribute \(key)'s value is not quoted") }
            let quote = text[i]
            i += 1
            var raw = ""
            while i < text.count, text[i] != quote { raw.unicodeScalars.append(text[i]); i += 1 }
            guard i < text.count else { throw fail("attribute \(key)'s value is not closed") }
            i += 1
            result[key] = try unescape(raw)
        }
    }

    static func notXMLCharacter(_ c: Unicode.Scalar) -> Bool {
        (c.value < 0x20 && c != "\t" && c != "\n" && c != "\r") || c.value == 0xFFFE || c.value == 0xFFFF
    }

    /// A name for a message: its XML-legal characters only.
    static func shown(_ name: String) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: name.unicodeScalars.filter { !notXMLCharacter($0) })
        return out
    }

    mutating func document() throws(MediaDataError) -> (root: String, variables: [(name: String, value: String)]) {
        try skipMisc()
        guard skip("<") else { throw fail("no root element") }
        let root = try name()
        let (_, empty) = try attributes()
        var variables: [(name: String, value: String)] = []
        if !empty {
            while true {
                try skipMisc()
                if skip("</") {
                    guard try name() == root else { throw fail("the root element \(root) is closed by another name") }
                    break
                }
                guard skip("<var"), i < text.count, " \t\r\n/>".unicodeScalars.contains(text[i]) else {
                    throw fail("an element other than <var> inside <\(root)>")
                }
                let (attributes, selfClosing) = try self.attributes()
                guard let name = attributes["name"] else { throw fail("a <var> element has no name attribute") }
                var value = ""
                if !selfClosing { value = try content() }
                // Characters XML 1.0 cannot carry (NUL, most C0 controls, U+FFFE/U+FFFF), literal
                // or as references: refused, naming the variable — a NUL would also cut the
                // text where readers cut it (found by `Scripts/fuzz media-data`).
                for (what, text) in [("name", name), ("value", value)] {
                    if let bad = text.unicodeScalars.first(where: Self.notXMLCharacter) {
                        throw fail("variable \(Self.shown(name))'s \(what) holds U+\(Hex.upper(bad.value, digits: 4)), a character XML cannot carry")
                    }
                }
                variables.append((name, value))
            }
        }
        return (root, variables)
    }

    /// A `var` element's value up to `</var>`: CDATA sections and text with entities.
    mutating func content() throws(MediaDataError) -> String {
        var out = ""
        var raw = ""
        while true {
            guard i < text.count else { throw fail("a <var> element is not closed") }
            if skip("</var>") { break }
            if skip("<![CDATA[") {
                out += try unescape(raw)
                raw = ""
                while true {
                    guard i < text.count else { throw fail("a CDATA section is not closed") }
                    if skip("]]>") { break }
                    out.unicodeScalars.append(text[i])
                    i += 1
                }
                continue
            }
            if text[i] == "<" { throw fail("an element inside <var>") }
            raw.unicodeScalars.append(text[i])
            i += 1
        }
        let tail = try unescape(raw)
        return out + tail
    }

    /// XML's entities and character references in `raw`. By Unicode scalar, not by
    /// Character: a combining mark after `;` or `&` joins it into one Character, which a
    /// Character search would miss (found by `Scripts/fuzz media-data`: `&lt;` + U+102F).
    func unescape(_ raw: String) throws(MediaDataError) -> String {
        let scalars = raw.unicodeScalars
        guard scalars.contains("&") else { return raw }
        var out = String.UnicodeScalarView()
        var rest = scalars[...]
        while let amp = rest.firstIndex(of: "&") {
            out.append(contentsOf: rest[..<amp])
            guard let semi = rest[amp...].firstIndex(of: ";") else { throw fail("an & without ;") }
            let entity = String(String.UnicodeScalarView(rest[rest.index(after: amp)..<semi]))
            switch entity {
            case "lt": out.append("<")
            case "gt": out.append(">")
            case "amp": out.append("&")
            case "quot": out.append("\"")
            case "apos": out.append("'")
            default:
                var number: UInt32?
                if entity.hasPrefix("#x") { number = UInt32(entity.dropFirst(2), radix: 16) } else if entity.hasPrefix("#") { number = UInt32(entity.dropFirst(), radix: 10) }
                guard let n = number, let scalar = Unicode.Scalar(n) else { throw fail("unknown entity &\(entity);") }
                out.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        out.append(contentsOf: rest)
        return String(out)
    }
}

/// Escapes text for XML content and attribute values.
public func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            if scalar.value < 0x20 && scalar != "\t" {
                out += "&#\(scalar.value);"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}
