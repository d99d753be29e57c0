import MediaSpec

/// The packages a task sequence references, found in its XML.
///
/// The rule (documented in the README): in every file of the task sequence
/// package whose name ends in `.xml` (any case), every attribute named
/// `package` — on any element, e.g. `<reference package="ABC00002"/>` or
/// `<step package="ABC00003">` — names a package ID (`ABC00002`, or pinned
/// `ABC00002.3`). Comments, CDATA and processing instructions are skipped.
/// UTF-8 and UTF-16 (with a byte-order mark, as Configuration Manager exports
/// them) are read.
package struct TaskSequenceXML {
    package struct Reference: Equatable {
        package let package: PackageReference
        /// 1-based line of the attribute in the file.
        package let line: Int
    }

    package enum Problem: Error, Equatable {
        /// `line`: what is wrong.
        case malformed(line: Int, String)
        case notAPackageID(line: Int, String)
    }

    /// The `package` attributes of `bytes`, in document order.
    package static func references(in bytes: [UInt8]) throws(Problem) -> [Reference] {
        let scalars = decode(bytes)
        var refs: [Reference] = []
        var i = 0, line = 1
        let n = scalars.count

        func starts(_ s: String, at k: Int) -> Bool {
            var j = k
            for c in s.unicodeScalars {
                guard j < n, scalars[j] == c else { return false }
                j += 1
            }
            return true
        }
        /// Moves past `end`; counts lines. False when the text ends first.
        func skip(past end: String) -> Bool {
            while i < n {
                if starts(end, at: i) { i += end.unicodeScalars.count; return true }
                if scalars[i] == "\n" { line += 1 }
                i += 1
            }
            return false
        }
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }
        func skipSpaces() {
            while i < n, isSpace(scalars[i]) { if scalars[i] == "\n" { line += 1 }; i += 1 }
        }
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            !isSpace(c) && c != "=" && c != ">" && c != "/" && c != "<" && c != "\"" && c != "'"
        }

        while i < n {
            let c = scalars[i]
            if c == "\n" { line += 1; i += 1; continue }
            guard c == "<" else { i += 1; continue }
            let tagLine = line
            if starts("<!--", at: i) { guard skip(past: "-->") else { throw .malformed(line: tagLine, "a comment is not closed") }; continue }
            if starts("<![CDATA[", at: i) { guard skip(past: "]]>") else { throw .malformed(line: tagLine, "a CDATA section is not closed") }; continue }
            if starts("<?", at: i) || starts("<!", at: i) || starts("</", at: i) {
                guard skip(past: ">") else { throw .malformed(line: tagLine, "a tag is not closed") }
                continue
            }
            // A start tag: its name, then name="value" attributes up to > or />.
            i += 1
            while i < n, isNameChar(scalars[i]) { i += 1 }
            while true {
                skipSpaces()
                guard i < n else { throw .malformed(line: tagLine, "a tag is not closed") }
                if scalars[i] == ">" { i += 1; break }
                if starts("/>", at: i) { i += 2; break }
                let nameStart = i
                while i < n, isNameChar(scalars[i]) { i += 1 }
                guard i > nameStart else { throw .malformed(line: line, "unexpected '\(scalars[i])' in a tag") }
                let name = String(String.UnicodeScalarView(scalars[nameStart..<i]))
                skipSpaces()
                guard i < n, scalars[i] == "=" else { throw .malformed(line: line, "attribute \(name) has no value") }
                i += 1
                skipSpaces()
                guard i < n, scalars[i] == "\"" || scalars[i] == "'" else { throw .malformed(line: line, "the value of attribute \(name) is not quoted") }
                let quote = scalars[i]
                let valueLine = line
                i += 1
                let valueStart = i
                while i < n, scalars[i] != quote { if scalars[i] == "\n" { line += 1 }; i += 1 }
                guard i < n else { throw .malformed(line: valueLine, "the value of attribute \(name) is not closed") }
                let raw = String(String.UnicodeScalarView(scalars[valueStart..<i]))
                i += 1
                if name == "package" {
                    let value = unescape(raw).trimmed(of: " \t")
                    guard let reference = PackageReference(parsing: value) else {
                        throw .notAPackageID(line: valueLine, value)
                    }
                    refs.append(Reference(package: reference, line: valueLine))
                }
            }
        }
        return refs
    }

    /// UTF-16 with a byte-order mark, else UTF-8 (its BOM dropped).
    static func decode(_ bytes: [UInt8]) -> [Unicode.Scalar] {
        if bytes.count >= 2 && (bytes[0], bytes[1]) == (0xFF, 0xFE) || bytes.count >= 2 && (bytes[0], bytes[1]) == (0xFE, 0xFF) {
            let little = bytes[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var k = 2
            while k + 1 < bytes.count {
                units.append(little ? UInt16(bytes[k]) | UInt16(bytes[k + 1]) << 8 : UInt16(bytes[k]) << 8 | UInt16(bytes[k + 1]))
                k += 2
            }
            return Array(String(decoding: units, as: UTF16.self).unicodeScalars)
        }
        var body = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        return Array(String(decoding: body, as: UTF8.self).unicodeScalars)
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&apos;", with: "'").replacing("&amp;", with: "&")
    }
}

extension String {
    func trimmed(of set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
