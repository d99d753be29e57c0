// The one INI reader and writer of the content library. Every INI file of an
// SCCMContentLib (PkgLib, DataLib, per-file, FileLib) goes through it.
//
// Grammar accepted (what Windows' profile API and the open-source readers of
// distribution points tolerate, and no more):
//   - 8-bit text decoded as UTF-8; an optional UTF-8 byte-order mark; LF or CRLF.
//   - blank lines; comment lines whose first non-blank character is `;` or `#`.
//   - `[Section]` headers; `key=value` lines inside a section. Spaces and tabs
//     around names and values are dropped. A value is the rest of the line, so
//     it may hold `;`, `#` or `=` (display names do): there are no inline comments.
//   - section and key names compare case-insensitively (ASCII), as on Windows.
//   - a key repeated in one section: the first one counts (GetPrivateProfileString).
// Anything else (a key before any section, a line that is neither, an empty
// name, invalid UTF-8) is an error naming the file and line.

/// One `key=value` line.
public struct INIEntry: Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One `[name]` section and its entries, in file order.
public struct INISection: Sendable, Equatable {
    public var name: String
    public var entries: [INIEntry]
    public init(name: String, entries: [INIEntry] = []) {
        self.name = name
        self.entries = entries
    }

    /// The value of `key` (any case), the first one when repeated.
    public func value(_ key: String) -> String? {
        entries.first(where: { asciiCaseInsensitiveEqual($0.key, key) })?.value
    }
}

/// A parsed INI file: its sections in file order (a repeated section is merged into the first).
public struct INIFile: Sendable, Equatable {
    public var sections: [INISection]

    public init(sections: [INISection] = []) {
        self.sections = sections
    }

    /// Parses `bytes`; `path` names the file in errors.
    public init(parsing bytes: [UInt8], path: String) throws {
        self = try bytes.withUnsafeBufferPointer { try INIFile(parsing: $0, path: path) }
    }

    /// Parses bytes in place (the library's hot path reads into a reused buffer).
    public init(parsing buffer: UnsafeBufferPointer<UInt8>, path: String) throws {
        var bytes = buffer[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var sections: [INISection] = []
        var current: Int? = nil
        var lineNumber = 0
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            lineNumber += 1
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let line = trimmed(bytes[lineStart..<lineEnd])
            lineStart = lineEnd < bytes.endIndex ? lineEnd + 1 : lineEnd
            guard let first = line.first else { continue }
            if first == UInt8(ascii: ";") || first == UInt8(ascii: "#") { continue }
            if first == UInt8(ascii: "[") {
                guard line.last == UInt8(ascii: "]"), line.count >= 2 else {
                    throw ContentLibraryError.malformedINI(path: path, line: lineNumber, reason: "a section header must end with ']'")
                }
                let name = try text(trimmed(line.dropFirst().dropLast()), path: path, line: lineNumber)
                guard !name.isEmpty else {
                    throw ContentLibraryError.malformedINI(path: path, line: lineNumber, reason: "empty section name")
                }
                if let existing = sections.firstIndex(where: { asciiCaseInsensitiveEqual($0.name, name) }) {
                    current = existing
                } else {
                    sections.append(INISection(name: name))
                    current = sections.count - 1
                }
                continue
            }
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                throw ContentLibraryError.malformedINI(path: path, line: lineNumber, reason: "expected '[section]' or 'key=value'")
            }
            guard let section = current else {
                throw ContentLibraryError.malformedINI(path: path, line: lineNumber, reason: "a key before any [section]")
            }
            let key = try text(trimmed(line[line.startIndex..<equals]), path: path, line: lineNumber)
            guard !key.isEmpty else {
                throw ContentLibraryError.malformedINI(path: path, line: lineNumber, reason: "empty key name")
            }
            let value = try text(trimmed(line[(equals + 1)...]), path: path, line: lineNumber)
            sections[section].entries.append(INIEntry(key: key, value: value))
        }
        self.sections = sections
    }

    /// The section named `name` (any case).
    public func section(_ name: String) -> INISection? {
        sections.first(where: { asciiCaseInsensitiveEqual($0.name, name) })
    }

    /// The value of `key` in `section` (both any case).
    public func value(_ key: String, in section: String) -> String? {
        self.section(section)?.value(key)
    }

    /// Sets `key` in `section`, replacing the first entry of that key (any case)
    /// or appending it; the section is appended when missing.
    public mutating func set(_ key: String, to value: String, in section: String) {
        let s: Int
        if let existing = sections.firstIndex(where: { asciiCaseInsensitiveEqual($0.name, section) }) {
            s = existing
        } else {
            sections.append(INISection(name: section))
            s = sections.count - 1
        }
        if let e = sections[s].entries.firstIndex(where: { asciiCaseInsensitiveEqual($0.key, key) }) {
            sections[s].entries[e].value = value
        } else {
            sections[s].entries.append(INIEntry(key: key, value: value))
        }
    }

    /// The file as written by mediafs: CRLF line ends (a distribution point is a
    /// Windows share and its INI files have them), no BOM, a blank line between sections.
    public func rendered() -> [UInt8] {
        var out: [UInt8] = []
        for (i, section) in sections.enumerated() {
            if i > 0 { out.append(contentsOf: [13, 10]) }
            out.append(contentsOf: "[\(section.name)]\r\n".utf8)
            for entry in section.entries {
                out.append(contentsOf: "\(entry.key)=\(entry.value)\r\n".utf8)
            }
        }
        return out
    }
}

/// ASCII case-insensitive equality: INI names are ASCII in practice, and Windows
/// folds only those; non-ASCII bytes must match exactly.
@inline(__always)
func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    var ia = a.utf8.makeIterator()
    var ib = b.utf8.makeIterator()
    while true {
        switch (ia.next(), ib.next()) {
        case (nil, nil): return true
        case let (x?, y?):
            if x == y { continue }
            if asciiLower(x) != asciiLower(y) { return false }
        default: return false
        }
    }
}

@inline(__always)
func asciiLower(_ c: UInt8) -> UInt8 {
    c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
}

/// The blanks INI lines are trimmed of (also FileINI's in-place scan).
@inline(__always)
func isBlank(_ c: UInt8) -> Bool {
    c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
}

@inline(__always)
func trimmed(_ s: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
    var start = s.startIndex
    var end = s.endIndex
    while start < end && isBlank(s[start]) { start += 1 }
    while end > start && isBlank(s[end - 1]) { end -= 1 }
    return s[start..<end]
}

private func text(_ s: Slice<UnsafeBufferPointer<UInt8>>, path: String, line: Int) throws -> String {
    guard let string = String(validating: s, as: UTF8.self) else {
        throw ContentLibraryError.invalidUTF8(path: path, line: line)
    }
    return string
}
