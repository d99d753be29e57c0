import RegionMap
import SystemIO

extension MediaTree {
    /// A tree of the files under a plain folder, each a blob of itself (no hash).
    /// For the image producers' tests and for trees that do not come from a library.
    public static func fromFolder(_ path: String, label: String) throws -> MediaTree {
        var builder = MediaTreeBuilder()
        let base = FileSystem.absolute(path)
        func walk(_ relative: String) throws {
            let full = relative.isEmpty ? base : base + "/" + relative
            for entry in try FileSystem.listDirectory(full).sorted(by: { $0.name < $1.name }) {
                let childRelative = joinedPath(relative, entry.name)
                guard let st = try FileSystem.status(full + "/" + entry.name) else { continue }
                let time = Timestamp(seconds: st.modified.seconds, nanoseconds: Int32(st.modified.nanoseconds))
                switch st.kind {
                case .directory:
                    try builder.addFolder(childRelative, modified: time)
                    try walk(childRelative)
                case .regular:
                    let blob = Blob(path: full + "/" + entry.name, size: st.size)
                    try builder.add(MediaFile(name: entry.name, source: .blob(blob), modified: time), in: relative)
                default:
                    continue
                }
            }
        }
        try walk("")
        let rootTime = try FileSystem.status(base).map { Timestamp(seconds: $0.modified.seconds) } ?? Timestamp(seconds: 0)
        return builder.build(label: label, defaultTime: rootTime)
    }
}
