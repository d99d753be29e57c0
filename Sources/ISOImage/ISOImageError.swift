import FATImage

/// Why an ISO image or disc set cannot be laid out; each names the path or size at fault.
public enum ISOImageError: Error, CustomStringConvertible {
    /// A name Joliet cannot hold (`NameRules.joliet`).
    case badName(path: String, problem: String)
    /// Two names in one folder that differ only in case (see `NameRules.joliet`).
    case caseCollision(first: String, second: String)
    /// A boot path of the options is not a file of the tree.
    case bootFileMissing(path: String, role: String)
    /// The boot file cannot be used as it is (too short for the patch it needs, too large to patch).
    case bootFileUnusable(path: String, problem: String)
    /// A boot file's bytes could not be read at layout time.
    case bootFileUnreadable(path: String, reason: String)
    /// An option that makes no sense alone or with the others.
    case badOptions(String)
    /// `uefi` is set but the tree has no file under `EFI/`.
    case noEFIFolder
    /// The FAT image of `EFI/` could not be made.
    case efiImage(FATImageError)
    /// The FAT image of `EFI/` is larger than an El Torito entry can announce.
    case efiImageTooLarge(bytes: UInt64, limit: UInt64)
    /// ECMA-119 path tables number folders with 16 bits.
    case tooManyFolders(count: Int)
    /// A file larger than one disc of the set.
    case fileLargerThanDisc(path: String, size: UInt64, capacity: UInt64)
    /// The files that must be on the first disc (boot files, SMS/data) do not fit on it.
    case firstDiscTooSmall(needed: UInt64, capacity: UInt64)
    /// More than 2^32 sectors: beyond what ECMA-119 can address.
    case imageTooLarge(bytes: UInt64)
    /// A disc's exact layout came out larger than the planned bound (a bug in the planner).
    case discOverfilled(disc: Int, size: UInt64, capacity: UInt64)

    public var description: String {
        switch self {
        case .badName(let path, let problem):
            return "\(path): this name cannot be put on an ISO (Joliet): \(problem)"
        case .caseCollision(let first, let second):
            return "\(first) and \(second): the names differ only in case, and Windows reads an ISO's Joliet names ignoring case"
        case .bootFileMissing(let path, let role):
            return "\(path): the \(role) is not a file of the media tree"
        case .bootFileUnusable(let path, let problem):
            return "\(path): \(problem)"
        case .bootFileUnreadable(let path, let reason):
            return "\(path): cannot read it: \(reason)"
        case .badOptions(let text):
            return "ISO options: \(text)"
        case .noEFIFolder:
            return "EFI/: UEFI boot was asked for, but the media tree has no file under EFI/"
        case .efiImage(let error):
            return "EFI/: cannot make the UEFI boot image: \(error)"
        case .efiImageTooLarge(let bytes, let limit):
            return "EFI/: the UEFI boot image would be \(bytes) bytes; an El Torito entry counts at most \(limit) bytes (65,535 sectors of 512): make the EFI folder smaller"
        case .tooManyFolders(let count):
            return "the media has \(count) folders; ISO 9660 path tables hold at most 65,535"
        case .fileLargerThanDisc(let path, let size, let capacity):
            return "\(path): \(size) bytes do not fit on one disc of \(capacity) bytes, and a file is never split across discs"
        case .firstDiscTooSmall(let needed, let capacity):
            return "the boot files and SMS/data need \(needed) bytes on the first disc, which holds \(capacity)"
        case .imageTooLarge(let bytes):
            return "the ISO image would be \(bytes) bytes, more than ISO 9660 can address (8 TiB)"
        case .discOverfilled(let disc, let size, let capacity):
            return "disc \(disc) came out at \(size) bytes, over its \(capacity) (planner bound broken)"
        }
    }
}
