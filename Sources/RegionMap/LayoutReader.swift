/// Random-access reads of a layout into memory: what the FUSE image and tree
/// views do when they cannot splice, and what tests compare with the export.
extension Layout {
    /// Reads up to `buffer.count` bytes at `offset`; returns the count (short only at the end).
    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer, blobs: BlobReader) throws -> Int {
        var filled = 0
        try forEachSegment(offset: offset, count: UInt64(buffer.count)) { segment in
            let length = Int(segment.length)
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[filled ..< filled + length])
            try segment.copy(into: target, blobs: blobs)
            filled += length
        }
        return filled
    }

    /// Reads `count` bytes at `offset` into a new array (tests, small reads).
    public func read(at offset: UInt64, count: Int, blobs: BlobReader) throws -> [UInt8] {
        let available = offset < size ? Int(min(UInt64(count), size - offset)) : 0
        var result = [UInt8](repeating: 0, count: available)
        _ = try result.withUnsafeMutableBytes { buffer in try read(at: offset, into: buffer, blobs: blobs) }
        return result
    }
}

extension Segment {
    /// Copies the segment's bytes into `buffer`, whose count is the segment's length.
    public func copy(into buffer: UnsafeMutableRawBufferPointer, blobs: BlobReader) throws {
        switch self {
        case .bytes(let shared, let range):
            shared.bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range]))
            }
        case .blob(let blob, let offset, _):
            try blobs.read(blob, at: offset, into: buffer)
        case .zeros:
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
        case .generated(let generator, let offset, _):
            generator.generate(at: offset, into: buffer)
        }
    }
}
