#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about a block device (a USB stick, a loop device):
/// enough for a user to recognise the device they are about to overwrite.
public struct BlockDeviceInfo: Sendable {
    public let path: String
    /// Its kernel name (`sdb`, `loop3`, `sdb1`).
    public let name: String
    public let size: UInt64
    /// sysfs `removable` of the disk (for a partition, of its disk).
    public let removable: Bool
    /// Vendor and model from sysfs (`SanDisk Cruzer Blade`), when the device has them.
    public let model: String?
    /// For a loop device, the file behind it.
    public let backingFile: String?
    /// True when this is a partition of a disk rather than the whole disk.
    public let isPartition: Bool
    /// Mount points of the device or of its partitions, from /proc/self/mounts.
    public let mountPoints: [String]
}

public enum BlockDevice {
    // <linux/fs.h>: _IOR(0x12, 114, size_t) and _IO(0x12, 95).
    private static let getSize64: UInt = 0x8008_1272
    private static let rereadPartitions: UInt = 0x125F

    /// Opens a block device for writing, exclusively: the kernel refuses (EBUSY)
    /// while the device or one of its partitions is mounted, used by device
    /// mapper or RAID, or opened exclusively by another program.
    public static func openExclusive(_ path: String) throws -> OpenFile {
        try OpenFile(path: path, mode: .readWrite, exclusive: true)
    }

    /// BLKGETSIZE64: the device's size in bytes.
    public static func size(of file: OpenFile) throws -> UInt64 {
        var size: UInt64 = 0
        guard ioctl(file.fd, getSize64, &size) == 0 else { throw SystemError("read device size", path: file.path, errno: errno) }
        return size
    }

    /// BLKRRPART: asks the kernel to read the new partition table. Best effort:
    /// a device without partition support (a loop device without partscan) says no.
    @discardableResult
    public static func rereadPartitionTable(_ file: OpenFile) -> Bool {
        ioctl(file.fd, rereadPartitions, 0) == 0
    }

    /// The device number (st_rdev) of a block device, or nil if `path` is not one.
    public static func deviceNumber(_ path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFBLK else { return nil }
        return UInt64(st.st_rdev)
    }

    /// Reads sysfs and /proc/self/mounts for the device at `path` (already open as `file`).
    public static func info(_ path: String, file: OpenFile) throws -> BlockDeviceInfo {
        let size = try size(of: file)
        guard let number = deviceNumber(path) else { throw SystemError("open as a block device", path: path, errno: ENOTBLK) }
        let sysfs = "/sys/dev/block/\(major(number)):\(minor(number))"
        let isPartition = FileSystem.exists(sysfs + "/partition")
        let disk = isPartition ? sysfs + "/.." : sysfs
        let name = resolvedName(sysfs) ?? path
        let removable = readSysfs(disk + "/removable") == "1"
        let vendor = readSysfs(disk + "/device/vendor")
        let model = readSysfs(disk + "/device/model")
        let description = [vendor, model].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        let backing = readSysfs(disk + "/loop/backing_file")
        return BlockDeviceInfo(path: path, name: name, size: size, removable: removable,
                               model: description.isEmpty ? nil : description, backingFile: backing,
                               isPartition: isPartition, mountPoints: mountPoints(of: number))
    }

    /// Mount points whose source is this device or one of its partitions.
    public static func mountPoints(of number: UInt64) -> [String] {
        guard let text = try? FileSystem.readFile("/proc/self/mounts") else { return [] }
        var points: [String] = []
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, fields[0].hasPrefix("/dev/"),
                  let source = deviceNumber(String(fields[0])) else { continue }
            if source == number || parentDisk(of: source) == number {
                points.append(unescapeMountField(String(fields[1])))
            }
        }
        return points
    }

    /// The disk a partition belongs to, by device number.
    private static func parentDisk(of number: UInt64) -> UInt64? {
        let sysfs = "/sys/dev/block/\(major(number)):\(minor(number))"
        guard FileSystem.exists(sysfs + "/partition"), let dev = readSysfs(sysfs + "/../dev") else { return nil }
        let parts = dev.split(separator: ":")
        guard parts.count == 2, let ma = UInt64(parts[0]), let mi = UInt64(parts[1]) else { return nil }
        return makeDevice(major: ma, minor: mi)
    }

    private static func resolvedName(_ sysfs: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard realpath(sysfs, &buffer) != nil else { return nil }
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).split(separator: "/").last.map(String.init)
    }

    private static func readSysfs(_ path: String) -> String? {
        guard let bytes = try? FileSystem.readFile(path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n\t")
        return text.isEmpty ? nil : text
    }

    // glibc's gnu_dev_major/minor/makedev, which Swift does not import (macros).
    private static func major(_ dev: UInt64) -> UInt64 { ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff) }
    private static func minor(_ dev: UInt64) -> UInt64 { (dev & 0xff) | ((dev >> 12) & ~0xff) }
    private static func makeDevice(major: UInt64, minor: UInt64) -> UInt64 {
        ((major & 0xfff) << 8) | ((major & ~0xfff) << 32) | (minor & 0xff) | ((minor & ~0xff) << 12)
    }

    /// /proc/mounts writes space, tab, newline and backslash as octal escapes.
    private static func unescapeMountField(_ field: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(field.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count,
               let value = UInt8(String(decoding: bytes[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(value); i += 4
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let drop = Set(set)
        var s = Substring(self)
        while let c = s.first, drop.contains(c) { s = s.dropFirst() }
        while let c = s.last, drop.contains(c) { s = s.dropLast() }
        return String(s)
    }
}

extension OpenFile {
    /// posix_fadvise(DONTNEED) after a flush: drops the cached pages so that a
    /// read-back comes from the device, not from memory.
    public func dropCache() {
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
    }
}

extension SystemError {
    /// EBUSY: a device held by a mount or another program.
    public static let busy = EBUSY
    /// EIO: an input/output error (a file that ended early, a device that failed).
    public static let ioError = EIO
}
