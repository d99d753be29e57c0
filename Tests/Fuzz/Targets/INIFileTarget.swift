import ContentLibrary

extension FuzzTarget {
    /// PkgLib, DataLib and FileLib INI files (`INIFile`). Property: what
    /// parses renders to text that parses back to the same sections.
    static let iniFile = FuzzTarget(name: "ini") { bytes in
        guard let ini = try? INIFile(parsing: bytes, path: "fuzz.INI") else { return }
        let again: INIFile
        do {
            again = try INIFile(parsing: ini.rendered(), path: "rendered.INI")
        } catch {
            preconditionFailure("a parsed INI file renders to text that does not parse: \(error)")
        }
        precondition(again == ini, "a parsed INI file does not render back to itself")
    }
}
