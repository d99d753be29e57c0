/// Appends regions one after another; the producers (FAT32, ISO 9660) plan a
/// whole image with it before a byte is served. Adjacent zero regions with the
/// same label merge. Labels (optional everywhere) name what the bytes are.
public struct LayoutBuilder {
    public private(set) var regions: [Region] = []
    public private(set) var size: UInt64 = 0

    public init() {}

    public mutating func append(_ content: RegionContent, length: UInt64, label: RegionLabel? = nil) {
        guard length > 0 else { return }
        if case .zeros = content, let last = regions.last, case .zeros = last.content, last.label == label {
            regions[regions.count - 1] = Region(start: last.start, length: last.length + length, content: .zeros, label: label)
        } else {
            regions.append(Region(start: size, length: length, content: content, label: label))
        }
        size += length
    }

    public mutating func append(bytes: [UInt8], label: RegionLabel? = nil) {
        append(.bytes(SharedBytes(bytes), offset: 0), length: UInt64(bytes.count), label: label)
    }

    public mutating func append(shared: SharedBytes, label: RegionLabel? = nil) {
        append(.bytes(shared, offset: 0), length: UInt64(shared.count), label: label)
    }

    public mutating func append(blob: Blob, label: RegionLabel? = nil) {
        append(.blob(blob, offset: 0), length: blob.size, label: label)
    }

    public mutating func appendZeros(_ length: UInt64, label: RegionLabel? = nil) {
        append(.zeros, length: length, label: label)
    }

    public mutating func append(generator: any RegionGenerator, length: UInt64, label: RegionLabel? = nil) {
        append(.generated(generator, offset: 0), length: length, label: label)
    }

    public mutating func append(layout: Layout, label: RegionLabel? = nil) {
        append(.layout(layout, offset: 0), length: layout.size, label: label)
    }

    /// Zeros up to the next multiple of `alignment` (a sector, a cluster, a block).
    public mutating func pad(toMultipleOf alignment: UInt64, label: RegionLabel? = nil) {
        let remainder = size % alignment
        if remainder != 0 { appendZeros(alignment - remainder, label: label) }
    }

    /// Zeros up to absolute offset `offset` (which must not be behind the cursor).
    public mutating func pad(to offset: UInt64, label: RegionLabel? = nil) {
        precondition(offset >= size, "layout cursor \(size) is already past \(offset)")
        appendZeros(offset - size, label: label)
    }

    public func build() -> Layout {
        // The builder only appends at the cursor, so the regions are sorted and gap-free.
        do { return try Layout(regions: regions) } catch { preconditionFailure("LayoutBuilder made an invalid layout: \(error)") }
    }
}
