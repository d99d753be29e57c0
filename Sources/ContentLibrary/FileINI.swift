/// What a per-file INI of DataLib (`DataLib/<ContentID>/…/<name>.INI`) says:
/// `[File] Size= Hash= Attributes= TimeModified=`.
///
/// A package of 100,000 files has 100,000 of these, each a few lines long, so
/// they are scanned in place: the four values are found as byte ranges of the
/// file and converted without making a String at all (the hash is kept as its
/// 32 bytes: the thread that scans makes no allocation that outlives it). The
/// scan follows `INIFile`'s grammar exactly (BOM, CRLF, comments, blanks, any
/// case, repeated sections merged, the first of a repeated key counts); a file
/// it cannot settle (a byte outside ASCII, a line the grammar refuses) is
/// parsed by `INIFile` instead, so a bad file gives the same error either way.
package struct FileINI: Equatable {
    let size: UInt64
    let hash: SHA256Digest
    let attributes: UInt32
    let timeModified: UInt64

    /// Parses the bytes of the per-file INI at `path` (named in errors, and
    /// made only for one).
    package init(parsing bytes: UnsafeBufferPointer<UInt8>, path: @autoclosure () -> String) throws {
        if let scan = FileINIScan(bytes) {
            guard scan.hasFileSection else {
                throw ContentLibraryError.missingKey(path: path(), section: "File", key: "Size")
            }
            func required(_ range: Range<Int>?, _ key: String) throws -> UnsafeBufferPointer<UInt8> {
                guard let range else { throw ContentLibraryError.missingKey(path: path(), section: "File", key: key) }
                return UnsafeBufferPointer(rebasing: bytes[range])
            }
            // Checked in the order INIFile's callers always have: Size, Hash, Attributes, TimeModified.
            let size = try Self.size(try required(scan.size, "Size"), path: path)
            let hash = try Self.hash(try required(scan.hash, "Hash"), path: path)
            let attributes = try Self.attributes(try required(scan.attributes, "Attributes"), path: path)
            let time = try Self.time(try required(scan.timeModified, "TimeModified"), path: path)
            self.init(size: size, hash: hash, attributes: attributes, timeModified: time)
            return
        }
        let path = path()
        let ini = try INIFile(parsing: bytes, path: path)
        guard let section = ini.section("File") else {
            throw ContentLibraryError.missingKey(path: path, section: "File", key: "Size")
        }
        func required(_ key: String) throws -> String {
            guard let value = section.value(key) else {
                throw ContentLibraryError.missingKey(path: path, section: "File", key: key)
            }
            return value
        }
        var sizeText = try required("Size")
        let size = try sizeText.withUTF8 { try Self.size($0, path: { path }) }
        var hashText = try required("Hash")
        let hash = try hashText.withUTF8 { try Self.hash($0, path: { path }) }
        var attributesText = try required("Attributes")
        let attributes = try attributesText.withUTF8 { try Self.attributes($0, path: { path }) }
        var timeText = try required("TimeModified")
        let time = try timeText.withUTF8 { try Self.time($0, path: { path }) }
        self.init(size: size, hash: hash, attributes: attributes, timeModified: time)
    }

    init(size: UInt64, hash: SHA256Digest, attributes: UInt32, timeModified: UInt64) {
        self.size = size
        self.hash = hash
        self.attributes = attributes
        self.timeModified = timeModified
    }

    // MARK: values (each error quotes the value as written)

    private static func size(_ value: UnsafeBufferPointer<UInt8>, path: () -> String) throws -> UInt64 {
        guard let size = parseDecimal64(value) else {
            throw ContentLibraryError.invalidValue(path: path(), key: "Size", value: String(decoding: value, as: UTF8.self),
                                                   reason: "is not a byte count (decimal)")
        }
        return size
    }

    private static func hash(_ value: UnsafeBufferPointer<UInt8>, path: () -> String) throws -> SHA256Digest {
        guard let hash = SHA256Digest(hex: value) else {
            throw ContentLibraryError.invalidValue(path: path(), key: "Hash", value: String(decoding: value, as: UTF8.self),
                                                   reason: "is not a SHA-256 hash (64 hex digits)")
        }
        return hash
    }

    private static func attributes(_ value: UnsafeBufferPointer<UInt8>, path: () -> String) throws -> UInt32 {
        guard let attributes = parseHex32(value) else {
            throw ContentLibraryError.invalidValue(path: path(), key: "Attributes", value: String(decoding: value, as: UTF8.self),
                                                   reason: "is not a hexadecimal number of at most 32 bits")
        }
        return attributes
    }

    private static func time(_ value: UnsafeBufferPointer<UInt8>, path: () -> String) throws -> UInt64 {
        guard let time = parseDecimal64(value) else {
            throw ContentLibraryError.invalidValue(path: path(), key: "TimeModified", value: String(decoding: value, as: UTF8.self),
                                                   reason: "is not a FILETIME (decimal 100 ns ticks since 1601)")
        }
        return time
    }
}

/// Where the four keys of the `[File]` section are in a per-file INI, or nil
/// when the file is not plain ASCII or has a line `INIFile` refuses (the
/// caller then lets `INIFile` parse it and name the line).
package struct FileINIScan {
    package var hasFileSection = false
    package var size: Range<Int>?
    package var hash: Range<Int>?
    package var attributes: Range<Int>?
    package var timeModified: Range<Int>?

    package init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        let end = bytes.count
        if end >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        // INIFile checks UTF-8 token by token; plain ASCII needs no check at all.
        var i = start
        while i < end {
            if bytes[i] >= 0x80 { return nil }
            i += 1
        }
        var inSection = false
        var inFile = false
        var lineStart = start
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let next = lineEnd < end ? lineEnd + 1 : lineEnd
            defer { lineStart = next }
            let line = trimmedRange(bytes, lineStart, lineEnd)
            guard !line.isEmpty else { continue }
            let first = bytes[line.lowerBound]
            if first == UInt8(ascii: ";") || first == UInt8(ascii: "#") { continue }
            if first == UInt8(ascii: "[") {
                guard line.count >= 2, bytes[line.upperBound - 1] == UInt8(ascii: "]") else { return nil }
                let name = trimmedRange(bytes, line.lowerBound + 1, line.upperBound - 1)
                guard !name.isEmpty else { return nil }
                inSection = true
                inFile = asciiCaseInsensitiveEqual(bytes, name, "file")
                if inFile { hasFileSection = true }
                continue
            }
            var equals = line.lowerBound
            while equals < line.upperBound && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
            guard equals < line.upperBound, inSection else { return nil }
            let key = trimmedRange(bytes, line.lowerBound, equals)
            guard !key.isEmpty else { return nil }
            guard inFile else { continue }
            let value = trimmedRange(bytes, equals + 1, line.upperBound)
            // The first of a repeated key counts (GetPrivateProfileString).
            if size == nil && asciiCaseInsensitiveEqual(bytes, key, "size") {
                size = value
            } else if hash == nil && asciiCaseInsensitiveEqual(bytes, key, "hash") {
                hash = value
            } else if attributes == nil && asciiCaseInsensitiveEqual(bytes, key, "attributes") {
                attributes = value
            } else if timeModified == nil && asciiCaseInsensitiveEqual(bytes, key, "timemodified") {
                timeModified = value
            }
        }
    }
}

/// `start..<end` without the blanks INIFile trims, by INIFile's own `trimmed`.
@inline(__always)
private func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
    let t = trimmed(bytes[start..<end])
    return t.startIndex..<t.endIndex
}

/// `bytes[range]` equals `lowercase` ignoring ASCII case (`lowercase` is lower-case ASCII).
@inline(__always)
private func asciiCaseInsensitiveEqual(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
    guard range.count == lowercase.utf8CodeUnitCount else { return false }
    let expected = lowercase.utf8Start
    var i = 0
    while i < range.count {
        if asciiLower(bytes[range.lowerBound + i]) != expected[i] { return false }
        i += 1
    }
    return true
}

/// A decimal number as `UInt64(String)` reads it. Plain digits (what every
/// writer puts there) are converted here; anything else (a sign, say) goes to
/// the standard library so both read the same numbers.
func parseDecimal64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
    guard !bytes.isEmpty else { return nil }
    var value: UInt64 = 0
    for c in bytes {
        guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else {
            return UInt64(String(decoding: bytes, as: UTF8.self))
        }
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
        if o1 || o2 { return nil }
        value = sum
    }
    return value
}

/// `Attributes=` is hexadecimal, with or without a 0x prefix, at most 32 bits.
func parseHex32(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
    var i = 0
    if bytes.count >= 2 && bytes[0] == UInt8(ascii: "0") && (bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X")) { i = 2 }
    guard i < bytes.count else { return nil }
    var value: UInt32 = 0
    while i < bytes.count {
        let c = bytes[i]
        let digit: UInt8
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
        default: return nil
        }
        guard value <= UInt32.max >> 4 else { return nil }
        value = value << 4 | UInt32(digit)
        i += 1
    }
    return value
}
