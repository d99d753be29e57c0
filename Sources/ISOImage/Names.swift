/// File identifiers of the two directory hierarchies.
///
/// - Primary (ECMA-119 interchange level 3, no Rock Ridge): d-characters only
///   (A–Z, 0–9, `_`), files `NAME.EXT;1` with name + extension at most 30
///   characters, folders at most 31. Every other character becomes `_`;
///   names that collide after that within one folder get a decimal counter
///   at the end of the name part (`LONG_NAME1.TXT;1`), in the folder's
///   sorted order — the way genisoimage and xorriso make 8.3-ish names unique.
/// - Joliet: the name as it is, in UCS-2 big-endian, without a version
///   number (as xorriso writes Joliet). The Joliet specification allows 64
///   characters; mediafs allows up to 103 (`NameRules.joliet`),
///   recorded in full, as xorriso's `-joliet-long` does (206 bytes: a
///   240-byte directory record). Windows, Linux, 7-Zip and xorriso read
///   them; a reader holding to the 64 of the specification would not.
enum Names {
    static let maximumFileLength = 30
    static let maximumFolderLength = 31

    static func isDCharacter(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }

    /// `text` in d-characters: ASCII letters upper-cased, anything else `_`.
    static func dCharacters(_ text: some StringProtocol) -> String {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            var c = scalar.isASCII ? UInt8(scalar.value) : 0x5F
            if c >= 0x61 && c <= 0x7A { c -= 0x20 }
            out.append(isDCharacter(c) ? c : 0x5F)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The primary-hierarchy identifiers (files with `;1`) of one folder's
    /// children, given in the tree's order; unique within the folder.
    static func primaryIdentifiers(_ children: [(name: String, isDirectory: Bool)]) -> [String] {
        var taken = Set<String>()
        var result: [String] = []
        result.reserveCapacity(children.count)
        for child in children {
            let identifier: String
            if child.isDirectory {
                let base = String(dCharacters(child.name).prefix(maximumFolderLength))
                identifier = unique(base: base, limit: maximumFolderLength, taken: taken) { $0 }
            } else {
                var (base, ext) = split(child.name)
                base = dCharacters(base)
                ext = dCharacters(ext)
                if base.isEmpty && ext.isEmpty { base = "_" }
                if base.count + ext.count > maximumFileLength {
                    // Keep a useful extension (at least 3 characters), shorten the name part.
                    ext = String(ext.prefix(max(3, maximumFileLength - base.count)))
                    base = String(base.prefix(maximumFileLength - ext.count))
                }
                let e = ext
                identifier = unique(base: base, limit: maximumFileLength - ext.count, taken: taken) { $0 + "." + e }
            }
            taken.insert(identifier)
            result.append(child.isDirectory ? identifier : identifier + ";1")
        }
        return result
    }

    /// `make(base)` if free, else `make(base shortened + n)` for the first free n.
    private static func unique(base: String, limit: Int, taken: Set<String>, _ make: (String) -> String) -> String {
        let plain = make(base)
        if !taken.contains(plain) { return plain }
        var n = 1
        while true {
            let suffix = String(n)
            let candidate = make(String(base.prefix(max(0, limit - suffix.count))) + suffix)
            if !taken.contains(candidate) { return candidate }
            n += 1
        }
    }

    /// Name and extension: the parts before and after the last dot.
    static func split(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: ".") else { return (name, "") }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    /// The Joliet identifier: the name in UCS-2 big-endian.
    static func jolietIdentifier(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for unit in name.utf16 { bytes += be16(unit) }
        return bytes
    }
}

/// The order of ECMA-119 9.3 (directory records) and 6.9.1 (path tables):
/// by name part, then by extension, each compared as if the shorter were
/// padded with spaces, then by version number, higher first. Joliet uses the
/// same rule over UCS-2 code units, the extension being what follows the last dot.
struct IdentifierOrder: Comparable {
    let name: [UInt16]
    let ext: [UInt16]
    let version: Int

    /// From a primary identifier (`NAME.EXT;1`, or a folder name).
    init(primary identifier: String, isDirectory: Bool) {
        var text = Substring(identifier)
        var version = 0
        if !isDirectory, let semicolon = text.lastIndex(of: ";") {
            version = Int(text[text.index(after: semicolon)...]) ?? 0
            text = text[..<semicolon]
        }
        self.init(text: String(text), isDirectory: isDirectory, version: version)
    }

    /// From a tree name, as Joliet records it (no version number).
    init(joliet name: String, isDirectory: Bool) {
        self.init(text: name, isDirectory: isDirectory, version: 0)
    }

    private init(text: String, isDirectory: Bool, version: Int) {
        if isDirectory {
            name = Array(text.utf16); ext = []
        } else {
            let (n, e) = Names.split(text)
            name = Array(n.utf16); ext = Array(e.utf16)
        }
        self.version = version
    }

    static func < (a: IdentifierOrder, b: IdentifierOrder) -> Bool {
        let byName = compare(a.name, b.name)
        if byName != 0 { return byName < 0 }
        let byExt = compare(a.ext, b.ext)
        if byExt != 0 { return byExt < 0 }
        return a.version > b.version
    }

    /// Compares as if the shorter were padded with spaces (0x20).
    private static func compare(_ a: [UInt16], _ b: [UInt16]) -> Int {
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0x20
            let y = i < b.count ? b[i] : 0x20
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}
