import RegionMap
import SystemIO

/// What kind of thing the image goes to; it decides how bytes, zeros and
/// commits are handled.
enum OutputKind: Equatable {
    /// A regular file: written under a temporary name beside it, renamed over
    /// the old one only once complete; zeros become holes.
    case file
    /// Standard output, a FIFO or a character device: written in order, zeros written.
    case pipe
    /// A block device (a USB stick): opened exclusively, zeros written, flushed at the end.
    case device
}

/// One open output. Its writes arrive in image order from one thread at a time
/// (the ring's writer; the walking thread only once the ring is drained),
/// which is why the sequential position and the direct-write state need no lock.
final class ImageOutput: @unchecked Sendable {
    let kind: OutputKind
    /// The name the user gave (`-o PATH`), or "standard output".
    let display: String
    let file: OpenFile
    /// For a file: the final name and the temporary one being written.
    let finalPath: String?
    let temporaryPath: String?
    let device: BlockDeviceInfo?
    /// Whether the descriptor is a pipe (splice needs one end to be).
    let isPipe: Bool
    private var position: UInt64 = 0
    /// Whether any byte has gone to a pipe or a device (what a failed export
    /// leaves there; a file's temporary is removed anyway).
    private(set) var wroteAny = false

    private init(kind: OutputKind, display: String, file: OpenFile, finalPath: String? = nil,
                 temporaryPath: String? = nil, device: BlockDeviceInfo? = nil, isPipe: Bool = false) {
        self.kind = kind
        self.display = display
        self.file = file
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
        self.device = device
        self.isPipe = isPipe
    }

    /// Opens where `path` says the image goes: `-` (standard output), a block
    /// device (checked: exclusive, removable unless `force`, large enough), or
    /// a regular file (a temporary file beside it).
    static func open(_ path: String, imageSize: UInt64, force: Bool) throws -> ImageOutput {
        if path == "-" {
            guard !Terminal.isTerminal(Terminal.standardOutput) else { throw ExportError.outputIsTerminal }
            let stdout = OpenFile(borrowing: Terminal.standardOutput, name: "standard output")
            let isPipe = (try? stdout.status().kind) == .fifo
            return ImageOutput(kind: .pipe, display: "standard output", file: stdout, isPipe: isPipe)
        }
        let existing: FileStatus?
        do { existing = try FileSystem.status(path) } catch let error as SystemError { throw ExportError.system(error, context: nil) }
        switch existing?.kind {
        case .blockDevice:
            return try openDevice(path, imageSize: imageSize, force: force)
        case .directory:
            throw ExportError.outputIsFolder(path)
        case .fifo, .characterDevice, .socket:
            do {
                let file = try OpenFile(path: path, mode: .write)
                return ImageOutput(kind: .pipe, display: path, file: file, isPipe: existing?.kind == .fifo)
            } catch let error as SystemError { throw ExportError.system(error, context: nil) }
        default:
            // A new file or a replacement: never opened in place, so an old
            // image stays whole until the new one is complete.
            let temporary = FileSystem.temporaryName(beside: path)
            do {
                let file = try OpenFile(path: temporary, mode: .readWrite, create: true, exclusive: true,
                                        permissions: existing.map { $0.mode & 0o7777 } ?? 0o644)
                return ImageOutput(kind: .file, display: path, file: file, finalPath: path, temporaryPath: temporary)
            } catch let error as SystemError {
                // The user named `path`, not our temporary: say it about theirs.
                throw ExportError.system(SystemError("create", path: path, errno: error.errno), context: nil)
            }
        }
    }

    private static func openDevice(_ path: String, imageSize: UInt64, force: Bool) throws -> ImageOutput {
        let file: OpenFile
        do { file = try BlockDevice.openExclusive(path) } catch let error as SystemError {
            if error.errno == SystemError.busy {
                let mounts = BlockDevice.deviceNumber(path).map { BlockDevice.mountPoints(of: $0) } ?? []
                throw ExportError.deviceBusy(path, mountPoints: mounts)
            }
            throw ExportError.system(error, context: nil)
        }
        let info: BlockDeviceInfo
        do { info = try BlockDevice.info(path, file: file) } catch let error as SystemError {
            throw ExportError.system(error, context: nil)
        }
        // Belt and braces: O_EXCL already refuses a mounted device.
        if !info.mountPoints.isEmpty { throw ExportError.deviceBusy(path, mountPoints: info.mountPoints) }
        if !info.removable && !force { throw ExportError.deviceNotRemovable(info) }
        if info.size < imageSize { throw ExportError.deviceTooSmall(info, imageSize: imageSize) }
        return ImageOutput(kind: .device, display: path, file: file, device: info)
    }

    /// Whether unwritten ranges read back as zeros (a regular file: holes).
    var holesAllowed: Bool { kind == .file }

    /// Whether writes bypass the page cache (see `startDirectWrites`).
    private(set) var writesDirect = false

    /// Sends the aligned part of each write straight to the disk (O_DIRECT)
    /// instead of through the page cache: a file or a device, when its
    /// filesystem allows it. Copying the image into the page cache costs as
    /// much CPU as hashing it (and more on a VM, whose fresh pages each fault
    /// in the host), and the pages are flushed at the end anyway.
    func startDirectWrites() {
        guard kind != .pipe, !writesDirect else { return }
        writesDirect = file.setDirectIO(true)
    }

    /// Back to the page cache (before the final flush and a read-back).
    func stopDirectWrites() {
        guard writesDirect else { return }
        writesDirect = false
        file.setDirectIO(false)
    }

    /// Writes `buffer` as the image's bytes at `offset`.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws {
        if kind != .file && !buffer.isEmpty { wroteAny = true }
        do {
            switch kind {
            case .file, .device:
                if writesDirect { try writeDirect(buffer, at: offset) } else { try file.write(buffer, at: offset) }
            case .pipe:
                precondition(offset == position, "a sequential output is written in order")
                try file.write(buffer)
                position += UInt64(buffer.count)
            }
        } catch let error as SystemError {
            throw ExportError.system(SystemError("write", path: display, errno: error.errno), context: nil)
        }
    }

    /// The page-aligned middle of `buffer` directly, its unaligned head and
    /// tail (an image's last sector, a run after a kernel copy) through the
    /// page cache. They never share a page, so neither path waits for the other.
    private func writeDirect(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws {
        let alignment = OpenFile.directIOAlignment
        let head = Int((UInt64(alignment) - offset % UInt64(alignment)) % UInt64(alignment))
        guard let base = buffer.baseAddress, head < buffer.count,
              (UInt(bitPattern: base) + UInt(head)) % UInt(alignment) == 0 else {
            return try writeBuffered(buffer, at: offset)
        }
        let middle = (buffer.count - head) / alignment * alignment
        if head > 0 { try writeBuffered(UnsafeRawBufferPointer(rebasing: buffer[0 ..< head]), at: offset) }
        if middle > 0 {
            let part = UnsafeRawBufferPointer(rebasing: buffer[head ..< head + middle])
            do { try file.write(part, at: offset + UInt64(head)) } catch let error as SystemError where error.errno == SystemError.invalidArgument {
                // This device or filesystem wants another alignment: stay with the page cache.
                stopDirectWrites()
                try file.write(part, at: offset + UInt64(head))
            }
        }
        if head + middle < buffer.count {
            try writeBuffered(UnsafeRawBufferPointer(rebasing: buffer[(head + middle)...]), at: offset + UInt64(head + middle))
        }
    }

    private func writeBuffered(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws {
        guard writesDirect else { return try file.write(buffer, at: offset) }
        file.setDirectIO(false)
        defer { file.setDirectIO(true) }
        try file.write(buffer, at: offset)
    }

    /// `count` zero bytes at `offset`: a hole in a file, written zeros elsewhere.
    func zeros(_ count: UInt64, at offset: UInt64) throws {
        if holesAllowed { return }
        // The first piece starts at the offset's place in its page, so that the
        // next ones are page-aligned in the image and in memory (direct writes).
        var skew = Int(offset % UInt64(OpenFile.directIOAlignment))
        var done: UInt64 = 0
        while done < count {
            let n = Int(min(UInt64(Zeros.megabyte.count - skew), count - done))
            try write(UnsafeRawBufferPointer(rebasing: Zeros.megabyte[skew ..< skew + n]), at: offset + done)
            done += UInt64(n)
            skew = 0
        }
    }

    /// Copies `count` bytes of an open blob into the image at `offset` in the
    /// kernel, by `path`. Returns how many it copied before the path turned out
    /// to be unusable here (0 when it never was): the caller moves the rest itself.
    /// `progress` receives the count copied so far.
    func kernelCopy(from source: OpenFile, at sourceOffset: UInt64, count: UInt64, to offset: UInt64,
                    path: CopyPath, progress: (UInt64) -> Void) throws -> UInt64 {
        let step: UInt64 = 16 << 20
        var done: UInt64 = 0
        do {
            if path != .copyRange && kind != .pipe { try file.seek(to: offset) }
            while done < count {
                let n = Int(min(step, count - done))
                let copied: Int
                switch path {
                case .copyRange: copied = try file.copyRange(from: source, at: sourceOffset + done, to: offset + done, count: n)
                case .splice: copied = try file.splice(from: source, at: sourceOffset + done, count: n)
                default: copied = try file.send(from: source, at: sourceOffset + done, count: n)
                }
                // The blob's size was checked when it was opened: ending early means it shrank.
                guard copied > 0 else { throw SystemError("read", path: source.path, errno: SystemError.ioError) }
                if kind != .file { wroteAny = true }
                done += UInt64(copied)
                if kind == .pipe { position += UInt64(copied) }
                progress(done)
            }
        } catch KernelCopyError.unsupported {
            return done
        } catch let error as SystemError {
            if error.path == source.path { throw error }
            throw ExportError.system(SystemError("write", path: display, errno: error.errno), context: nil)
        }
        return done
    }

    /// Makes the written image complete and durable: the file's full size
    /// (trailing holes), then fsync; a device is flushed and its partitions re-read.
    func finish(size: UInt64) throws {
        stopDirectWrites()
        do {
            switch kind {
            case .file:
                try file.truncate(to: size)
                try file.sync()
            case .device:
                try file.sync()
                BlockDevice.rereadPartitionTable(file)
            case .pipe:
                break
            }
        } catch let error as SystemError {
            throw ExportError.system(SystemError(error.operation, path: display, errno: error.errno), context: nil)
        }
    }

    /// Reads back the first `size` bytes: a device's from the device itself
    /// (its page cache dropped first), a file's as the kernel has them.
    func readBack(size: UInt64, bufferSize: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        if kind == .device { file.dropCache() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 4096)
        defer { buffer.deallocate() }
        var offset: UInt64 = 0
        while offset < size {
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Int(min(UInt64(bufferSize), size - offset))])
            do { try file.readExactly(into: part, at: offset) } catch let error as SystemError {
                throw ExportError.system(SystemError("read back", path: display, errno: error.errno), context: nil)
            }
            body(UnsafeRawBufferPointer(part))
            offset += UInt64(part.count)
        }
    }

    /// Puts a finished file in place of the old one (atomic rename, then the
    /// folder is flushed so the rename survives a crash).
    func commit() throws {
        guard kind == .file, let temporary = temporaryPath, let final = finalPath else { return }
        do {
            try FileSystem.rename(temporary, to: final)
            try? FileSystem.syncDirectory(Self.folder(of: final))
        } catch let error as SystemError {
            throw ExportError.system(error, context: nil)
        }
    }

    /// Removes what was written; the old file, if any, is untouched.
    func discard() {
        if kind == .file, let temporary = temporaryPath { try? FileSystem.remove(temporary) }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// A megabyte of zeros, page-aligned (direct writes need it), allocated once
/// and never written: the source of written zero runs and of the image
/// hash's zeros alike.
enum Zeros {
    nonisolated(unsafe) static let megabyte: UnsafeRawBufferPointer = {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: OpenFile.directIOAlignment)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        return UnsafeRawBufferPointer(buffer)
    }()
}
