/// 8.3 short names, as Microsoft's FAT32 File System Specification describes
/// them ("FAT Long Directory Entries": basis-name generation and numeric tails).
/// Every entry has one, even when a long name carries the real name: readers
/// without long-name support, and the firmware of some machines, see only these.
enum ShortName {
    /// Bytes of an 11-byte short name: 8 of name, 3 of extension, space-padded.
    typealias Bytes = [UInt8]

    /// Characters allowed in a short name besides A–Z and 0–9. Bytes above
    /// 127 are allowed by the specification but mean a code page; we never
    /// produce them, so a short name reads the same everywhere.
    private static let punctuation: Set<UInt8> = Set("!#$%&'()-@^_`{}~".utf8)

    static func isLegal(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
            || punctuation.contains(c)
    }

    private static func upper(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") ? c - 32 : c
    }

    /// The name as a short name when it already is one up to case: ASCII only,
    /// legal characters, 1–8 before an optional single dot, 1–3 after.
    /// `exact` says whether it needs no long name (no lower-case letter).
    static func fitting(_ name: String) -> (bytes: Bytes, exact: Bool)? {
        let utf8 = Array(name.utf8)
        let dots = utf8.indices.filter { utf8[$0] == UInt8(ascii: ".") }
        guard dots.count <= 1 else { return nil }
        let base = dots.first.map { Array(utf8[..<$0]) } ?? utf8
        let ext = dots.first.map { Array(utf8[($0 + 1)...]) } ?? []
        guard (1...8).contains(base.count), ext.count <= 3, dots.isEmpty || !ext.isEmpty else { return nil }
        let upperBase = base.map(upper), upperExt = ext.map(upper)
        guard (upperBase + upperExt).allSatisfy(isLegal) else { return nil }
        return (pad(upperBase, 8) + pad(upperExt, 3), upperBase == base && upperExt == ext)
    }

    /// The basis name of the specification's generation algorithm: upper-case,
    /// characters a short name cannot hold become `_` (a lossy conversion),
    /// spaces and leading dots dropped, the part before the first dot (up to 8)
    /// and after the last dot (up to 3).
    static func basis(_ name: String) -> (base: [UInt8], ext: [UInt8]) {
        var characters: [UInt8] = []
        for unit in name.utf16 where unit != 0x20 {
            if unit < 0x80, unit == 0x2E || isLegal(upper(UInt8(unit))) {
                characters.append(upper(UInt8(unit)))
            } else {
                characters.append(UInt8(ascii: "_"))
            }
        }
        while characters.first == UInt8(ascii: ".") { characters.removeFirst() }
        let lastDot = characters.lastIndex(of: UInt8(ascii: "."))
        let primaryEnd = characters.firstIndex(of: UInt8(ascii: ".")) ?? characters.endIndex
        var base = Array(characters[..<primaryEnd].prefix(8))
        let ext = lastDot.map { Array(characters[($0 + 1)...].filter { $0 != UInt8(ascii: ".") }.prefix(3)) } ?? []
        if base.isEmpty { base = [UInt8(ascii: "_")] }
        return (base, ext)
    }

    /// `base` cut so that `~N` fits in 8 characters, then `~N`, with `ext`.
    static func withTail(base: [UInt8], ext: [UInt8], number: Int) -> Bytes {
        let tail = Array("~\(number)".utf8)
        return pad(Array(base.prefix(8 - tail.count)) + tail, 8) + pad(ext, 3)
    }

    /// The checksum a long-name entry carries of its short name (so a reader can
    /// tell that the long name still belongs to the entry after it).
    static func checksum(_ name: Bytes) -> UInt8 {
        var sum: UInt8 = 0
        for byte in name { sum = ((sum & 1) << 7) &+ (sum >> 1) &+ byte }
        return sum
    }

    static func pad(_ bytes: [UInt8], _ width: Int) -> [UInt8] {
        bytes + [UInt8](repeating: 0x20, count: max(0, width - bytes.count))
    }

    /// Short names for the entries of one folder, in order, unique in the
    /// folder: names that are short names already (up to case) keep them, the
    /// others get a basis name with the first free `~N` tail. Names of the
    /// first kind are served first so that a generated tail never takes a
    /// real name (a folder may hold both `PROGRA~1` and `Program Files`).
    /// Returns each short name and whether a long name must go with it.
    static func assign(_ names: [String]) -> [(bytes: Bytes, needsLongName: Bool)] {
        var used = Set<Bytes>()
        var result = [(bytes: Bytes, needsLongName: Bool)?](repeating: nil, count: names.count)
        for (index, name) in names.enumerated() {
            if let fit = fitting(name), used.insert(fit.bytes).inserted {
                result[index] = (fit.bytes, !fit.exact)
            }
        }
        // Next tail number to try per basis, so thousands of names sharing a
        // basis do not each probe from ~1.
        var nextNumber: [Bytes: Int] = [:]
        for (index, name) in names.enumerated() where result[index] == nil {
            let (base, ext) = basis(name)
            let key = pad(base, 8) + pad(ext, 3)
            var number = nextNumber[key] ?? 1
            var candidate = withTail(base: base, ext: ext, number: number)
            while !used.insert(candidate).inserted {
                number += 1
                candidate = withTail(base: base, ext: ext, number: number)
            }
            nextNumber[key] = number + 1
            result[index] = (candidate, true)
        }
        return result.compactMap { $0 }
    }

    /// The 11-character volume label of a media label: its first 11
    /// characters, upper-cased, each one a label cannot hold replaced by `_`,
    /// space-padded. nil when nothing but spaces is left (no label).
    static func volumeLabel(_ mediaLabel: String) -> Bytes? {
        var bytes: [UInt8] = []
        for character in mediaLabel.prefix(11) {
            if let ascii = character.asciiValue, ascii == 0x20 || isLegal(upper(ascii)) {
                bytes.append(upper(ascii))
            } else {
                bytes.append(UInt8(ascii: "_"))
            }
        }
        // A label may not begin with a space (it would read as empty to some tools).
        while bytes.first == 0x20 { bytes.removeFirst() }
        guard !bytes.isEmpty else { return nil }
        return pad(bytes, 11)
    }
}
