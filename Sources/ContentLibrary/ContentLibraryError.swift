import SystemIO

/// Everything that can be wrong with a content library or with what is added to
/// it. Each case carries the path at fault, and `description` starts with it,
/// so a message reads like a compiler's: `path: what is wrong`.
public enum ContentLibraryError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `path` is not an SCCMContentLib folder (or cannot be made one).
    case notALibrary(path: String, reason: String)
    /// An INI file that does not parse.
    case malformedINI(path: String, line: Int, reason: String)
    /// INI files are 8-bit text read as UTF-8; this one is not valid UTF-8.
    case invalidUTF8(path: String, line: Int)
    /// A required key is absent.
    case missingKey(path: String, section: String, key: String)
    /// A key whose value is not what it must be (a size that is not a number, a hash that is not 64 hex digits…).
    case invalidValue(path: String, key: String, value: String, reason: String)
    /// A file or folder name that cannot be held (separator, control character, `.`/`..`, empty).
    case invalidName(path: String, reason: String)
    /// A package ID that is not 3 characters [A-Z0-9] and 5 hex digits, or a content ID
    /// that is not `<PackageID>.<version>` of its package.
    case invalidIdentifier(path: String, identifier: String, reason: String)
    /// A package, or a version of one, the library does not have.
    case unknownPackage(path: String, reference: String, reason: String)
    /// PkgLib lists a content ID whose `DataLib/<ContentID>` folder is not there.
    case missingContent(path: String, contentID: String, listedIn: String)
    /// A file's blob is not in FileLib.
    case missingBlob(path: String, blobPath: String)
    /// A file's recorded size disagrees with its blob on disk.
    case sizeMismatch(path: String, blobPath: String, recorded: UInt64, actual: UInt64)
    /// Something that is neither a regular file nor a folder (symbolic link, device, socket, FIFO).
    case unsupportedEntry(path: String, kind: String)
    /// Two entries that would land on the same path, or an entry in an impossible place.
    case conflict(path: String, reason: String)
    /// A file or folder of the library that cannot be opened or read: refused
    /// because it leads outside the library (a symbolic link), or a system error.
    case unreadable(path: String, reason: String)

    public var path: String {
        switch self {
        case .notALibrary(let path, _), .malformedINI(let path, _, _), .invalidUTF8(let path, _),
             .missingKey(let path, _, _), .invalidValue(let path, _, _, _), .invalidName(let path, _),
             .invalidIdentifier(let path, _, _), .unknownPackage(let path, _, _), .missingContent(let path, _, _), .missingBlob(let path, _),
             .sizeMismatch(let path, _, _, _), .unsupportedEntry(let path, _), .conflict(let path, _),
             .unreadable(let path, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case .notALibrary(let path, let reason):
            return "\(path): not a content library (SCCMContentLib): \(reason)"
        case .malformedINI(let path, let line, let reason):
            return "\(path):\(line): INI file does not parse: \(reason)"
        case .invalidUTF8(let path, let line):
            return "\(path):\(line): not valid UTF-8 text"
        case .missingKey(let path, let section, let key):
            return "\(path): missing key '\(key)' in section [\(section)]"
        case .invalidValue(let path, let key, let value, let reason):
            return "\(path): \(key)=\(value): \(reason)"
        case .invalidName(let path, let reason):
            return "\(path): invalid name: \(reason)"
        case .invalidIdentifier(let path, let identifier, let reason):
            return "\(path): '\(identifier)' \(reason)"
        case .unknownPackage(let path, let reference, let reason):
            return "\(path): \(reference): \(reason)"
        case .missingContent(let path, let contentID, let listedIn):
            return "\(path): missing: \(listedIn) lists \(contentID) but DataLib has no folder for it"
        case .missingBlob(let path, let blobPath):
            return "\(path): its blob \(blobPath) is missing"
        case .sizeMismatch(let path, let blobPath, let recorded, let actual):
            return "\(path): Size=\(recorded) but the blob \(blobPath) holds \(actual) bytes"
        case .unsupportedEntry(let path, let kind):
            return "\(path): is a \(kind); only regular files and folders can be in a package"
        case .conflict(let path, let reason), .unreadable(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// The description without the path in front ("leads outside the library (symbolic link)").
    public var reason: String {
        let text = description
        let prefix = path + ": "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// `error` as a library error: a `SystemError` (a refused link, a read
    /// that failed) becomes `.unreadable` naming its path; anything else,
    /// `.unreadable` of `path`.
    static func from(_ error: any Error, path: String) -> ContentLibraryError {
        switch error {
        case let e as ContentLibraryError: return e
        case let e as SystemError: return .unreadable(path: e.path, reason: e.detail ?? "\(e.operation) failed: \(e.reason)")
        default: return .unreadable(path: path, reason: "\(error)")
        }
    }
}
