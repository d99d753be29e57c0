import MediaEngine

extension FuzzTarget {
    /// mediafs's SHA-1 cache file (`SHA1Cache`, in the user's cache folder: outside
    /// input — damaged, torn, or edited by hand). Any bytes give a set of entries,
    /// never a crash; each entry accepted must be one that `SHA1Cache.line` writes
    /// the same way, so a line read back is a line mediafs could have written.
    static let sha1Cache = FuzzTarget(name: "sha1-cache") { bytes in
        let entries = SHA1Cache.parse(bytes)
        for (sha256, entry) in entries {
            let line = SHA1Cache.line(sha256: sha256, size: entry.size, sha1: entry.sha1)
            let again = SHA1Cache.parse(Array(line.utf8))
            precondition(again.count == 1 && again[sha256] == entry, "an accepted cache line does not survive write → read")
        }
    }
}
