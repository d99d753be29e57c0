import SystemIO

/// What `PkgLib/<PackageID>.INI` says about one package: its versions (the
/// `[Packages]` keys are its content IDs), the current one, and its display name.
struct PackageIndex: Sendable {
    let packageID: String
    /// Absolute path of the PkgLib INI.
    let path: String
    /// Sorted ascending, at least one.
    let versions: [Int]
    /// `[Info] Version=` when present (a number, or a content ID of this package), else the highest.
    let currentVersion: Int
    let name: String?
    /// The parsed file, so a writer can add to it and keep what it does not know.
    let ini: INIFile

    init(packageID: String, path: String, bytes: [UInt8]) throws {
        let ini = try INIFile(parsing: bytes, path: path)
        var versions = Set<Int>()
        for entry in ini.section("Packages")?.entries ?? [] {
            guard let (package, version) = LibraryNames.parseContentID(entry.key) else {
                throw ContentLibraryError.invalidIdentifier(path: path, identifier: entry.key,
                    reason: "in [Packages] is not a content ID (<PackageID>.<version>, e.g. \(packageID).1)")
            }
            guard package == packageID else {
                throw ContentLibraryError.invalidIdentifier(path: path, identifier: entry.key,
                    reason: "in [Packages] is not a content ID of package \(packageID)")
            }
            versions.insert(version)
        }
        guard !versions.isEmpty else {
            throw ContentLibraryError.missingKey(path: path, section: "Packages", key: "\(packageID).<version>")
        }
        let sorted = versions.sorted()
        var current = sorted[sorted.count - 1]
        if let text = ini.value("Version", in: "Info"), !text.isEmpty {
            let stated = Int(text) ?? LibraryNames.parseContentID(text).flatMap { $0.packageID == packageID ? $0.version : nil }
            guard let stated, versions.contains(stated) else {
                throw ContentLibraryError.invalidValue(path: path, key: "Version", value: text,
                    reason: "names no version listed in [Packages] (\(sorted.map { "\(packageID).\($0)" }.joined(separator: ", ")))")
            }
            current = stated
        }
        let name = ini.value("Name", in: "Info")
        self.packageID = packageID
        self.path = path
        self.versions = sorted
        self.currentVersion = current
        self.name = (name?.isEmpty ?? true) ? nil : name
        self.ini = ini
    }

    /// What PkgLib holds: the INI files of packages, and the entries that are
    /// not usable as one (each a problem of its package only: see `LibrarySnapshot`).
    struct Listing {
        /// By package ID, sorted by file name.
        var files: [(packageID: String, name: String, path: String)] = []
        /// Package ID (or, for a name that is not one, the file name without
        /// `.INI`) → why its PkgLib entry cannot be used.
        var broken: [String: ContentLibraryError] = [:]
    }

    /// The PkgLib INI files of the open folder `pkgLib`, by package ID, sorted
    /// by name. Hidden files (a writer's temporaries) and files not named
    /// `*.INI` are not packages. A name that is not a package ID, an entry that
    /// is not a regular file and two files for one package are broken entries.
    /// A symbolic link is listed like a file: opening it beneath the library
    /// refuses it, naming it.
    static func list(_ pkgLib: OpenDirectory) throws -> Listing {
        var listing = Listing()
        var seen: [String: String] = [:]
        for entry in try pkgLib.list().sorted(by: { utf8Precedes($0.name, $1.name) }) {
            let name = entry.name
            guard !name.hasPrefix("."), name.utf8.count > 4, hasINISuffix(name) else { continue }
            let path = pkgLib.path + "/" + name
            let packageID = String(decoding: name.utf8.dropLast(4), as: UTF8.self)
            if let problem = LibraryNames.packageIDProblem(packageID) {
                listing.broken[packageID] = .invalidIdentifier(path: path, identifier: packageID, reason: problem)
                continue
            }
            guard entry.kind == .regular || entry.kind == .symlink else {
                listing.broken[packageID] = .conflict(path: path, reason: "is \(entry.kind.article); a PkgLib entry must be a regular file")
                continue
            }
            if let other = seen[packageID] {
                listing.broken[packageID] = .conflict(path: path, reason: "a second PkgLib file for package \(packageID) (the other is \(other))")
                continue
            }
            seen[packageID] = path
            listing.files.append((packageID, name, path))
        }
        listing.files.removeAll { listing.broken[$0.packageID] != nil }
        return listing
    }
}

/// `name` ends with ".INI" in any case.
func hasINISuffix(_ name: String) -> Bool {
    let tail = name.utf8.suffix(4)
    return tail.count == 4 && asciiCaseInsensitiveEqual(String(decoding: tail, as: UTF8.self), ".ini")
}

func kindName(_ kind: FileStatus.Kind) -> String {
    switch kind {
    case .regular: return "regular file"
    case .directory: return "folder"
    case .symlink: return "symbolic link"
    case .blockDevice: return "block device"
    case .characterDevice: return "character device"
    case .fifo: return "FIFO"
    case .socket: return "socket"
    case .other: return "special file"
    }
}
