/// The C allocator's heap, seen from a long-running process.
public enum Memory {
    /// Hands the allocator's free pages back to the kernel (glibc `malloc_trim`).
    /// A daemon that builds a large structure, keeps a smaller one and frees
    /// the rest (the mount: library snapshot and media tree → the view)
    /// otherwise keeps the freed heap in its RSS for its whole life.
    public static func returnFreedToSystem() {
        _ = glibcMallocTrim(0)
    }
}

/// `int malloc_trim(size_t pad)` from <malloc.h>, which the Glibc module does
/// not export. Integer arguments and result: the C and Swift conventions agree.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
