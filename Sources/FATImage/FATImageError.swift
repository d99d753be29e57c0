/// Why a FAT image cannot be made; each case names the path or size at fault.
/// All are raised while planning, before a single byte is produced.
public enum FATImageError: Error, CustomStringConvertible, Equatable {
    /// A file of 4 GiB or more: FAT's size field has 32 bits.
    case fileTooLarge(path: String, size: UInt64)
    /// A name FAT long names cannot hold.
    case badName(path: String, problem: String)
    /// Two names in one folder that FAT would see as the same.
    case caseCollision(first: String, second: String)
    /// A folder with more than 65,536 directory entries (long-name entries included).
    case directoryTooLarge(path: String, entries: Int)
    /// The requested disk or volume cannot hold the content; `needed` is the smallest that can.
    case tooSmall(what: String, size: UInt64, needed: UInt64)
    /// A size at which the requested FAT type cannot be made at all.
    case sizeNotValid(type: FATType, size: UInt64, reason: String)
    /// An MBR addresses at most 2^32 sectors (2 TiB).
    case diskTooLarge(size: UInt64)
    /// The content does not fit in any volume of this type.
    case contentTooLarge(type: FATType, bytes: UInt64)

    public var description: String {
        switch self {
        case .fileTooLarge(let path, let size):
            return "\(path): \(size) bytes (\(ByteCount(size))); a FAT32 file holds at most 4 GiB - 1 byte "
                + "(4294967295 bytes). Use the ISO target (--format iso), which stores large files in several "
                + "extents, or split the file (a WIM splits into .swm parts) before making USB media"
        case .badName(let path, let problem):
            return "\(path): this name cannot be put on a FAT volume: \(problem)"
        case .caseCollision(let first, let second):
            return "\(first) and \(second): the names differ only in case, and FAT ignores case"
        case .directoryTooLarge(let path, let entries):
            return "\(path.isEmpty ? "the root folder" : path): needs \(entries) directory entries "
                + "(long names take several); a FAT folder holds at most 65536"
        case .tooSmall(let what, let size, let needed):
            return "the \(what) size \(size) bytes (\(ByteCount(size))) is too small for this media: "
                + "it needs at least \(needed) bytes (\(ByteCount(needed)))"
        case .sizeNotValid(let type, let size, let reason):
            return "a \(type) volume cannot be \(size) bytes (\(ByteCount(size))): \(reason)"
        case .diskTooLarge(let size):
            return "the disk size \(size) bytes (\(ByteCount(size))) is beyond what an MBR partition table "
                + "addresses (2 TiB)"
        case .contentTooLarge(let type, let bytes):
            return "\(bytes) bytes (\(ByteCount(bytes))) of content do not fit in the largest \(type) volume"
        }
    }
}

/// A byte count as people read it: `4.0 GiB`.
struct ByteCount: CustomStringConvertible {
    let bytes: UInt64
    init(_ bytes: UInt64) { self.bytes = bytes }

    var description: String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
