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

/// What a region is on the media, for people: `mediafs verify` names the first
/// differing byte by it. Paths are the plan's own strings (shared, not copied),
/// so a label costs a few words per region and nothing per byte.
public enum RegionLabel: Sendable, Equatable, CustomStringConvertible {
    /// A media file (its path in the tree).
    case file(String)
    /// A folder's entries (its path in the tree; "" is the root).
    case directory(String)
    /// A structure of the format: "boot sector", "FAT #1", "partition table", …
    case structure(String)

    public var description: String {
        switch self {
        case .file(let path): return "file \(path)"
        case .directory(let path): return path.isEmpty ? "the root directory" : "directory \(path)"
        case .structure(let name): return name
        }
    }
}

/// One contiguous piece of a layout.
public struct Region: Sendable {
    public let start: UInt64
    public let length: UInt64
    public let content: RegionContent
    /// What the bytes are (nil: padding or free space the producer did not name).
    public let label: RegionLabel?
    public var end: UInt64 { start + length }

    public init(start: UInt64, length: UInt64, content: RegionContent, label: RegionLabel? = nil) {
        self.start = start
        self.length = length
        self.content = content
        self.label = label
    }
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

extension Layout {
    /// What byte `offset` is, in the media's terms: the label of its region
    /// (through nested layouts: "EFI boot image (El Torito), FAT #1"), or, for
    /// unnamed zeros, the named region before it ("zeros after file X").
    /// Called once per report, so a linear look back is fine.
    public func describe(offset: UInt64) -> String {
        guard offset < size else { return "past the end of the image (\(size) bytes)" }
        let index = regionIndex(containing: offset)
        let region = regions[index]
        var text: String
        if let label = region.label {
            text = label.description
        } else if let named = regions[..<index].last(where: { $0.label != nil })?.label {
            text = "unused space after \(named)"
        } else {
            text = "unused space"
        }
        if case .layout(let inner, let start) = region.content {
            text += ", " + inner.describe(offset: start + offset - region.start)
        }
        return text
    }

    /// The region holding byte `offset`, with the byte's position inside it
    /// (the innermost one, through nested layouts).
    public func innermostRegion(containing offset: UInt64) -> (region: Region, inside: UInt64)? {
        guard offset < size else { return nil }
        let region = regions[regionIndex(containing: offset)]
        if case .layout(let inner, let start) = region.content {
            return inner.innermostRegion(containing: start + offset - region.start)
        }
        return (region, offset - region.start)
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
