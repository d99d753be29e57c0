import CFuse3
import Glibc
import RegionMap
import Synchronization
import SystemIO

/// Answers a read with ONE `fuse_reply_data`: every blob range of the layout
/// becomes an fd-backed buffer (libfuse splices it from the blob's page cache
/// into /dev/fuse, no copy through user space), every other segment is
/// copied into one scratch buffer, adjacent ones merged into a single part.
/// The segments come from `Layout.forEachSegment`, the read path the
/// exporter uses too.
extension MediaFileSystem {
    func replyRead(_ req: fuse_req_t, handle: OpenHandle, offset: UInt64, size: Int) {
        let layout = handle.layout
        var segments: [Segment] = []
        layout.forEachSegment(offset: offset, count: UInt64(size)) { segments.append($0) }
        guard !segments.isEmpty else {
            fuse_reply_buf(req, nil, 0)
            return
        }

        // Open (or take from the cache) each blob and check it still has its
        // recorded size: a blob that shrank must give EIO, never a short or
        // zero-filled reply. A blob unlinked after it was opened is still
        // read through the open descriptor (the tree file's own, or the
        // cache's for images): its bytes are the ones its hash names, so
        // they are right; a NEW open of the file fails (openForReader).
        var files: [OpenFile?] = []
        files.reserveCapacity(segments.count)
        var memoryBytes = 0
        for segment in segments {
            switch segment {
            case .blob(let blob, _, _):
                do {
                    let file: OpenFile
                    if let pinned = handle.pinned, blob == pinned.blob { file = pinned.file } else { file = try blobs.open(blob) }
                    let actual = try file.status().size
                    guard actual == blob.size else {
                        blobs.forget(blob)
                        throw BlobError.sizeMismatch(blob, actual: actual)
                    }
                    files.append(file)
                } catch {
                    report(error, blob: blob, file: handle.name)
                    fuse_reply_err(req, EIO)
                    return
                }
            default:
                files.append(nil)
                memoryBytes += Int(segment.length)
            }
        }

        let scratch = memoryBytes > 0 ? scratchBuffers.take(memoryBytes) : nil
        defer { if let scratch { scratchBuffers.put(scratch, memoryBytes) } }

        // fuse_bufvec ends in a one-element array of fuse_buf; allocate room for all parts.
        let headerSize = MemoryLayout<fuse_bufvec>.size - MemoryLayout<fuse_buf>.stride
        let vector = UnsafeMutableRawPointer.allocate(
            byteCount: headerSize + max(1, segments.count) * MemoryLayout<fuse_buf>.stride,
            alignment: MemoryLayout<fuse_bufvec>.alignment)
        defer { vector.deallocate() }
        var parts: [fuse_buf] = []
        parts.reserveCapacity(segments.count)

        var cursor = 0
        var memoryRunStart = -1
        var failed: (any Error)?
        for (index, segment) in segments.enumerated() {
            let length = Int(segment.length)
            if let file = files[index], case .blob(_, let blobOffset, _) = segment {
                var part = fuse_buf()
                part.size = length
                part.flags = fuse_buf_flags(rawValue: FUSE_BUF_IS_FD.rawValue | FUSE_BUF_FD_SEEK.rawValue)
                part.fd = file.fd
                part.pos = off_t(blobOffset)
                parts.append(part)
                memoryRunStart = -1
                continue
            }
            guard let scratch else { continue }
            let target = UnsafeMutableRawBufferPointer(start: scratch + cursor, count: length)
            do { try segment.copy(into: target, blobs: blobs) } catch { failed = error; break }
            if memoryRunStart >= 0 {
                parts[parts.count - 1].size += length
            } else {
                var part = fuse_buf()
                part.size = length
                part.flags = fuse_buf_flags(rawValue: 0)
                part.mem = scratch + cursor
                parts.append(part)
                memoryRunStart = cursor
            }
            cursor += length
        }
        if let failed {
            report(failed, blob: nil, file: handle.name)
            fuse_reply_err(req, EIO)
            return
        }

        let header = vector.bindMemory(to: fuse_bufvec.self, capacity: 1)
        header.pointee.count = parts.count
        header.pointee.idx = 0
        header.pointee.off = 0
        for (index, part) in parts.enumerated() {
            (vector + headerSize + index * MemoryLayout<fuse_buf>.stride).storeBytes(of: part, as: fuse_buf.self)
        }
        let result = fuse_reply_data(req, header, fuse_buf_copy_flags(rawValue: 0))
        if result != 0 && result != -ENOENT {
            // -ENOENT: the request was interrupted; anything else is worth a line.
            logger.debug("\(handle.name): reply to a read at \(offset) failed: \(result)")
        }
        withExtendedLifetime(files) {}
    }
}

/// Buffers for the memory parts of read replies, reused: a reply's memory
/// part can be as large as a request (992 KiB), and glibc would serve such
/// sizes from per-thread arenas that keep their pages, so the daemon's RSS
/// crept up with the threads a long read happened to use. Here every buffer
/// is a request's size, and there are never more than the readers served at
/// once (at most the worker threads): a fixed ceiling, whatever is read.
final class ScratchBuffers: Sendable {
    private let size: Int
    /// Addresses of the idle buffers (raw pointers are not Sendable).
    private let free = Mutex<[UInt]>([])

    init(size: Int) { self.size = size }

    /// A buffer of at least `count` bytes; larger requests than the
    /// negotiated size (never sent by the kernel) get a buffer of their own.
    func take(_ count: Int) -> UnsafeMutableRawPointer {
        if count <= size, let address = free.withLock({ $0.popLast() }),
           let buffer = UnsafeMutableRawPointer(bitPattern: address) { return buffer }
        return UnsafeMutableRawPointer.allocate(byteCount: max(count, size), alignment: 4096)
    }

    func put(_ buffer: UnsafeMutableRawPointer, _ count: Int) {
        if count <= size { free.withLock { $0.append(UInt(bitPattern: buffer)) } } else { buffer.deallocate() }
    }

    deinit {
        free.withLock { for address in $0 { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() } }
    }
}
