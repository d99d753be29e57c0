import MediaTree

extension NameRules {
    /// Joliet names, as mediafs writes them: UCS-2 (no character beyond
    /// U+FFFF), at most 103 characters (xorriso's `-joliet-long`; the
    /// specification's 64 is extended, see `Names`), none of the characters
    /// Joliet forbids (`* / : ; ? \`) nor those Windows cannot hold in a name
    /// copied off the disc (`" < > |`), no dot or space at the end.
    ///
    /// mediafs's choice: names of one folder that differ only in case are
    /// refused for an ISO as for FAT. Joliet itself keeps case, but Windows —
    /// the reader task sequence media are made for — looks names up ignoring
    /// case, and would see one of the two files only.
    public static let joliet = NameRules(target: "Joliet", forbidden: ["\"", "*", "/", ":", ";", "<", ">", "?", "\\", "|"],
                                         maximumLength: 103, allowsBeyondUCS2: false, allowsTrailingDotOrSpace: false)
}

extension ISOImage {
    /// The first name of `tree` an ISO cannot hold (`NameRules.joliet`), as an error naming it.
    static func checkNames(_ tree: MediaTree) throws(ISOImageError) {
        guard let violation = NameRules.joliet.firstViolation(in: tree, caseInsensitive: true) else { return }
        switch violation.kind {
        case .badName(let problem): throw .badName(path: violation.path, problem: problem)
        case .caseCollision(let first): throw .caseCollision(first: first, second: violation.path)
        }
    }
}
