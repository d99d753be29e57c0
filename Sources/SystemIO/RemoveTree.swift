#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Removes an empty folder.
    public static func removeDirectory(_ path: String) throws {
        guard rmdir(path) == 0 || errno == ENOENT else { throw SystemError("remove folder", path: path, errno: errno) }
    }

    /// Removes `path` and, if it is a folder, everything under it. Symbolic links are
    /// removed, never followed. Nothing at `path` is not an error.
    public static func removeTree(_ path: String) throws {
        guard let st = try status(path, followLinks: false) else { return }
        if st.kind == .directory {
            for entry in try listDirectory(path) {
                try removeTree(path + "/" + entry.name)
            }
            try removeDirectory(path)
        } else {
            try remove(path)
        }
    }
}
