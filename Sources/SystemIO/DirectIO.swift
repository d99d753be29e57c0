#if canImport(Glibc)
import Glibc
#endif

// Direct I/O (O_DIRECT): writes go from the caller's buffer to the device,
// not through the page cache. Swift's Glibc module does not declare O_DIRECT
// (it sits behind _GNU_SOURCE), and its value differs by architecture.
#if arch(x86_64) || arch(i386)
private let directFlag: Int32 = 0o40000
#elseif arch(arm64) || arch(arm)
private let directFlag: Int32 = 0o200000
#else
private let directFlag: Int32 = 0
#endif

extension OpenFile {
    /// The alignment direct I/O is asked for here: offsets, lengths and
    /// buffer addresses a multiple of the page size satisfy every logical
    /// block size in use (512 and 4096 bytes). Anything else is written
    /// through the page cache (the export's ImageOutput splits its writes so).
    public static let directIOAlignment = 4096

    /// Turns direct I/O on or off for this open file (fcntl F_SETFL, which
    /// changes the open file description: every descriptor sharing it).
    /// Returns whether the file is now in the mode asked for; a filesystem
    /// that cannot do direct I/O refuses to turn it on.
    @discardableResult
    public func setDirectIO(_ enabled: Bool) -> Bool {
        guard directFlag != 0 else { return !enabled }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { return false }
        let wanted = enabled ? flags | directFlag : flags & ~directFlag
        return wanted == flags || fcntl(fd, F_SETFL, wanted) == 0
    }
}

extension SystemError {
    /// What a direct write whose alignment the device refuses fails with.
    public static let invalidArgument = EINVAL
}
