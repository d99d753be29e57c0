import RegionMap
import SystemIO

/// Everything an export can fail on, each as one line a user can act on.
/// The CLI prints `mediafs: <description>` and exits non-zero.
public enum ExportError: Error, CustomStringConvertible {
    /// A library blob's bytes do not hash to what the library records
    /// (SHA-256), or to a digest the layout adds (SHA-1: `expected` has 40 digits).
    case blobMismatch(Blob, mediaPath: String?, expected: String, actual: String)
    /// A library blob's status (size, modification time, inode) changed
    /// between its check and the end of the export: written to in place or
    /// replaced while the image streamed, so the bytes written may not be
    /// the bytes checked.
    case blobChanged(Blob, mediaPath: String?)
    /// The written output, read back, is not what was streamed.
    case writtenMismatch(output: String, expected: String, actual: String)
    case deviceBusy(String, mountPoints: [String])
    case deviceNotRemovable(BlockDeviceInfo)
    case deviceTooSmall(BlockDeviceInfo, imageSize: UInt64)
    case outputIsFolder(String)
    case outputIsTerminal
    case optionNeedsFile(option: String, output: String)
    case setNeedsFile(discs: Int, output: String)
    case interrupted(signal: String)
    /// `error` (a damaged blob, an interrupt) stopped the export after part of
    /// the image had gone to `output`, a pipe or a device, where it cannot be
    /// taken back. Without this wrapper those errors say "nothing written",
    /// which is then true: a file's temporary is removed, the old file kept.
    indirect case incomplete(ExportError, output: String)
    /// A system call failed on the output or in the library (full disk, device gone…).
    case system(SystemError, context: String?)
    case blob(BlobError, mediaPath: String?)

    public var description: String {
        switch self {
        case .blobMismatch, .blobChanged, .interrupted:
            return stoppedCause + ", nothing written"
        case .incomplete(let error, let output):
            return "\(error.stoppedCause); \(output) holds an incomplete image"
        case .writtenMismatch(let output, let expected, let actual):
            return "\(output): read back, the written image's SHA-256 is \(actual), but \(expected) was written; the output is damaged"
        case .deviceBusy(let path, let mountPoints):
            if mountPoints.isEmpty { return "\(path): the device is in use (mounted, or opened by another program); not written" }
            return "\(path): the device is mounted (\(mountPoints.joined(separator: ", "))); unmount it first; not written"
        case .deviceNotRemovable(let info):
            return "\(info.path): \(DeviceText.describe(info)) is not a removable device; use --force if you are sure it may be overwritten"
        case .deviceTooSmall(let info, let imageSize):
            return "\(info.path): \(DeviceText.describe(info)) is smaller than the image (\(ByteText.exact(imageSize))); not written"
        case .outputIsFolder(let path):
            return "\(path): is a folder; give the image's file name"
        case .outputIsTerminal:
            return "standard output is a terminal; redirect it (> FILE, | …) or give -o FILE"
        case .optionNeedsFile(let option, let output):
            return "\(option) needs a file output; \(output) is not one"
        case .setNeedsFile(let discs, let output):
            return "the media is a set of \(discs) discs; \(output) can take only one image, give -o NAME.iso"
        case .system(let error, let context):
            return context.map { "\(error) (\($0))" } ?? error.description
        case .blob(let error, let mediaPath):
            return mediaPath.map { "\($0): \(error)" } ?? error.description
        }
    }

    /// What stopped the export, without what became of the output.
    private var stoppedCause: String {
        switch self {
        case .blobMismatch(let blob, let mediaPath, let expected, let actual):
            let file = mediaPath.map { "\($0): " } ?? ""
            if expected.count == 40 {
                // A SHA-1 the layout names the blob by: a WIM's, from mediafs's SHA-1 cache.
                return "\(file)library blob \(blob.path) is damaged or the SHA-1 cache is wrong: its SHA-1 is \(actual), but the image names it \(expected) (a WIM's SHA-1s come from the SHA-1 cache: remove its entry or the cache file if the blob is sound); export stopped"
            }
            return "\(file)library blob \(blob.path) is damaged: its SHA-256 is \(actual), the library records \(expected); export stopped"
        case .blobChanged(let blob, let mediaPath):
            let file = mediaPath.map { "\($0): " } ?? ""
            return "\(file)library blob \(blob.path) changed while the export read it (written to in place, or replaced); export stopped"
        case .interrupted(let signal):
            return "interrupted (\(signal)); export stopped"
        default:
            return description
        }
    }
}

enum ByteText {
    /// 4.54 GB, 512 MB, 12 kB: decimal units, as sticks and discs are sold.
    static func short(_ bytes: UInt64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(bytes) B" }
        let rounded = (value * 100).rounded() / 100
        return "\(rounded.formatted2) \(units[unit])"
    }

    static func exact(_ bytes: UInt64) -> String { "\(short(bytes)), \(bytes) bytes" }
}

enum DeviceText {
    static func describe(_ info: BlockDeviceInfo) -> String {
        var parts = [ByteText.exact(info.size)]
        if let model = info.model { parts.insert(model, at: 0) }
        if let backing = info.backingFile { parts.append("backed by \(backing)") }
        parts.append(info.removable ? "removable" : "not removable")
        return "\(info.name) (\(parts.joined(separator: ", ")))"
    }
}

extension Double {
    /// Two decimals without Foundation's formatter (also the export summary's seconds).
    public var formatted2: String {
        let hundredths = Int((self * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
