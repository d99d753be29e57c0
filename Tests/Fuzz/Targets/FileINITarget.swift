import ContentLibrary

extension FuzzTarget {
    /// DataLib's per-file INI files, scanned in place (`FileINI`, `FileINIScan`).
    /// Property: where the in-place scan settles a file, `INIFile` parses it
    /// too and finds the same four values (the scan claims INIFile's grammar).
    static let fileINI = FuzzTarget(name: "file-ini") { bytes in
        bytes.withUnsafeBufferPointer { buffer in
            _ = try? FileINI(parsing: buffer, path: "fuzz.INI")
            guard let scan = FileINIScan(buffer) else { return }
            let ini: INIFile
            do {
                ini = try INIFile(parsing: buffer, path: "fuzz.INI")
            } catch {
                preconditionFailure("FileINIScan settles a file INIFile refuses: \(error)")
            }
            let section = ini.section("File")
            precondition(scan.hasFileSection == (section != nil), "FileINIScan and INIFile disagree on [File]")
            for (key, range) in [("Size", scan.size), ("Hash", scan.hash),
                                 ("Attributes", scan.attributes), ("TimeModified", scan.timeModified)] {
                let scanned = range.map { String(decoding: buffer[$0], as: UTF8.self) }
                precondition(scanned == section?.value(key), "FileINIScan and INIFile disagree on \(key)")
            }
        }
    }
}
