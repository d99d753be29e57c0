// Parsers for the scalar values of a spec: sizes, dates, GUIDs, names. Pure
// functions, each returning nil for text it does not accept; the caller
// says which field was wrong and what is accepted.

enum SpecValues {
    /// `16GB` (10^9), `8GiB` (2^30), `700MB`, `512MiB`, `1TB`, or a plain byte count.
    /// A space between the number and the unit is allowed; units ignore case.
    static func byteCount(_ text: String) -> UInt64? {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let number = UInt64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingSpaces.lowercased()
        let multipliers: [String: UInt64] = [
            "": 1, "b": 1,
            "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
            "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// `2026-01-01` (midnight UTC), `2026-01-01T08:30:00Z` or `2026-01-01 08:30:00Z`.
    static func date(_ text: String) -> SpecDate? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var v = 0
            for i in range {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count == 10 || b.count == 20, let year = number(0..<4), b[4] == 0x2D, let month = number(5..<7),
              b[7] == 0x2D, let day = number(8..<10) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var secondOfDay = 0
        if b.count == 20 {
            guard b[10] == 0x54 || b[10] == 0x20, let h = number(11..<13), b[13] == 0x3A, let m = number(14..<16),
                  b[16] == 0x3A, let s = number(17..<19), b[19] == 0x5A, h < 24, m < 60, s < 60 else { return nil }
            secondOfDay = h * 3600 + m * 60 + s
        }
        return SpecDate(seconds: daysFromCivil(year: year, month: month, day: day) * 86_400 + Int64(secondOfDay), text: text)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// A GUID (`8-4-4-4-12` hex digits, optionally in braces), upper-cased without braces.
    static func guid(_ text: String) -> String? {
        var t = Substring(text)
        if t.hasPrefix("{") && t.hasSuffix("}") { t = t.dropFirst().dropLast() }
        let groups = t.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12],
              groups.allSatisfy({ $0.utf8.allSatisfy(isHexDigit) }) else { return nil }
        return t.uppercased()
    }

    static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    /// A site code: 3 characters, A–Z and 0–9.
    static func isSiteCode(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// An environment variable name: a letter or `_`, then letters, digits and `_`.
    static func isEnvironmentName(_ text: String) -> Bool {
        guard let first = text.utf8.first, first == 0x5F || isLetter(first) else { return false }
        return text.utf8.allSatisfy { $0 == 0x5F || isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// A task sequence variable name: letters, digits and `_`, at most 255 characters.
    static func isVariableName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255
            && text.utf8.allSatisfy { $0 == 0x5F || isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    /// A path inside a package (`boot/etfsboot.com`): `/`-separated, no empty, `.` or `..` parts.
    /// A leading `/` is dropped; `\` is read as `/` (Windows admins write both).
    static func packagePath(_ text: String) -> String? {
        let parts = text.replacingBackslashes.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty, !parts.contains(where: { $0 == "." || $0 == ".." }),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return parts.joined(separator: "/")
    }

    /// Control characters (other than none) in text that ends up in a file on the media.
    static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }

    var replacingBackslashes: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\\" ? "/" : $0 }))
    }
}
