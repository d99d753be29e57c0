/// What a region's bytes are.
public enum RegionContent: Sendable {
    /// In-memory bytes; the region starts `offset` bytes into them.
    case bytes(SharedBytes, offset: Int)
    /// A range of a blob starting `offset` bytes into it.
    case blob(Blob, offset: UInt64)
    /// Zeros (padding, free clusters, unused sectors).
    case zeros
    /// Bytes computed by a function; the region starts `offset` bytes into its output.
    case generated(any RegionGenerator, offset: UInt64)
    /// A range of another layout (the FAT image inside an ISO), starting `offset` into it.
    case layout(Layout, offset: UInt64)
}

/// One contiguous piece of a layout.
public struct Region: Sendable {
    public let start: UInt64
    public let length: UInt64
    public let content: RegionContent
    public var end: UInt64 { start + length }
}

/// A virtual file: a sorted, gap-free list of regions covering `0..<size`.
///
/// Every reader goes through `forEachSegment`: random reads (FUSE) ask for a
/// small range, the exporter walks the whole range in order. Both resolve
/// regions by the same code, which is what makes mount and export identical.
public final class Layout: Sendable {
    public let size: UInt64
    public let regions: [Region]

    /// Fails if the regions are not sorted, leave a gap, overlap, or are empty.
    public init(regions: [Region]) throws(LayoutError) {
        var cursor: UInt64 = 0
        for (index, region) in regions.enumerated() {
            guard region.length > 0 else { throw .emptyRegion(index: index) }
            guard region.start == cursor else { throw .gap(index: index, expected: cursor, found: region.start) }
            switch region.content {
            case .bytes(let shared, let offset):
                guard offset >= 0, UInt64(offset) + region.length <= UInt64(shared.count) else {
                    throw .sourceTooShort(index: index)
                }
            case .blob(let blob, let offset):
                guard offset + region.length <= blob.size else { throw .sourceTooShort(index: index) }
            case .layout(let inner, let offset):
                guard offset + region.length <= inner.size else { throw .sourceTooShort(index: index) }
            case .zeros, .generated:
                break
            }
            cursor = region.end
        }
        self.regions = regions
        self.size = cursor
    }

    /// A layout of one file's bytes: the way a tree file is served.
    public static func single(_ content: RegionContent, length: UInt64) -> Layout {
        if length == 0 { return empty }
        // One region starting at 0 cannot be out of order; its length is the caller's.
        return Layout(unchecked: [Region(start: 0, length: length, content: content)], size: length)
    }

    public static let empty = Layout(unchecked: [], size: 0)

    private init(unchecked regions: [Region], size: UInt64) {
        self.regions = regions
        self.size = size
    }

    /// Index of the region holding byte `offset` (binary search). `offset < size`.
    public func regionIndex(containing offset: UInt64) -> Int {
        var low = 0, high = regions.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if regions[mid].start <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Calls `body` with the segments that make up `offset ..< offset+count`
    /// (clipped to the end of the layout), in order. Nested layouts are resolved
    /// into their own segments, so a segment is never a layout.
    public func forEachSegment(offset: UInt64, count: UInt64, _ body: (Segment) throws -> Void) rethrows {
        guard offset < size, count > 0 else { return }
        let end = offset + min(count, size - offset)
        var index = regionIndex(containing: offset)
        var position = offset
        while position < end {
            let region = regions[index]
            let inside = position - region.start
            let length = min(region.end, end) - position
            switch region.content {
            case .bytes(let shared, let start):
                try body(.bytes(shared, range: (start + Int(inside)) ..< (start + Int(inside) + Int(length))))
            case .blob(let blob, let start):
                try body(.blob(blob, offset: start + inside, length: length))
            case .zeros:
                try body(.zeros(length: length))
            case .generated(let generator, let start):
                try body(.generated(generator, offset: start + inside, length: length))
            case .layout(let inner, let start):
                try inner.forEachSegment(offset: start + inside, count: length, body)
            }
            position += length
            index += 1
        }
    }
}

/// A piece of a read, as a reader handles it: memory to copy or send, a blob
/// range to read or splice, zeros, or bytes to generate.
public enum Segment: Sendable {
    case bytes(SharedBytes, range: Range<Int>)
    case blob(Blob, offset: UInt64, length: UInt64)
    case zeros(length: UInt64)
    case generated(any RegionGenerator, offset: UInt64, length: UInt64)

    public var length: UInt64 {
        switch self {
        case .bytes(_, let range): return UInt64(range.count)
        case .blob(_, _, let length), .zeros(let length), .generated(_, _, let length): return length
        }
    }
}

public enum LayoutError: Error, CustomStringConvertible, Equatable {
    case emptyRegion(index: Int)
    case gap(index: Int, expected: UInt64, found: UInt64)
    case sourceTooShort(index: Int)

    public var description: String {
        switch self {
        case .emptyRegion(let i): return "layout region \(i) is empty"
        case .gap(let i, let expected, let found): return "layout region \(i) starts at \(found), expected \(expected)"
        case .sourceTooShort(let i): return "layout region \(i) reaches past the end of its source"
        }
    }
}
