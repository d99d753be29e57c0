// WIMSanity: the checks mediafs makes on a WIM's header and blob table before
// wimlib opens it. wimlib reserves the memory a resource header claims before it
// reads it: a damaged or hostile 2 KB WIM can claim an 8 GiB metadata resource or
// a 1 TB blob table (found by `Scripts/fuzz wim`), and a truncated boot.wim — a
// copy that stopped short — gets wimlib's "out of memory" or "short read" where
// the admin needs "truncated". mediafs's choice, kept here in one place: every
// table and metadata resource lies inside the file; an uncompressed one is
// exactly as long as it says; no table or metadata resource may claim more than
// the caps below (a Windows install.wim's largest image metadata is a few
// hundred MiB). File data resources are left to wimlib, which reads them by
// chunks. Layout: ../shared/reference/wim-format.md (header, resource header,
// blob table entry).
import SystemIO

enum WIMSanity {
    static let headerSize = 208
    static let blobEntrySize = 50
    /// The largest blob table or XML data accepted (original size).
    static let tableCap: UInt64 = 256 << 20
    /// The largest image metadata resource accepted (original size).
    static let metadataCap: UInt64 = 1 << 30

    /// One 24-byte resource header.
    struct Resource {
        let storedSize: UInt64
        let flags: UInt8
        let offset: UInt64
        let originalSize: UInt64
        var isCompressed: Bool { flags & 0x04 != 0 }
        var isSolid: Bool { flags & 0x10 != 0 }
        var isMetadata: Bool { flags & 0x02 != 0 }

        init(_ bytes: ArraySlice<UInt8>) {
            storedSize = littleEndian(bytes, 0, 7)
            flags = bytes[bytes.startIndex + 7]
            offset = littleEndian(bytes, 8, 8)
            originalSize = littleEndian(bytes, 16, 8)
        }
    }

    /// The `count`-byte little-endian number at `at` in `bytes`.
    static func littleEndian(_ bytes: ArraySlice<UInt8>, _ at: Int, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in (0..<count).reversed() { value = value << 8 | UInt64(bytes[bytes.startIndex + at + i]) }
        return value
    }

    /// Throws a sentence naming what is wrong; returns when wimlib may open the file.
    /// Only the magic's absence is left to wimlib (it names it better: not a WIM).
    static func check(_ file: OpenFile) throws(WIMSanityError) {
        let size: UInt64
        var header = [UInt8](repeating: 0, count: headerSize)
        do {
            size = try file.status().size
            guard size >= UInt64(headerSize) else {
                if size >= 5 { throw WIMSanityError("it is \(size) bytes, shorter than the 208-byte WIM header (truncated?)") }
                return
            }
            try header.withUnsafeMutableBytes { try file.readExactly(into: $0, at: 0) }
        } catch let error as WIMSanityError {
            throw error
        } catch {
            throw WIMSanityError("cannot read the header: \(error)")
        }
        guard header[0..<8] == [0x4D, 0x53, 0x57, 0x49, 0x4D, 0, 0, 0] else { return }  // wimlib names it

        func inside(_ r: Resource, _ what: String, cap: UInt64) throws(WIMSanityError) {
            let (end, overflow) = r.offset.addingReportingOverflow(r.storedSize)
            guard !overflow, end <= size else {
                throw WIMSanityError("the \(what) (bytes \(r.offset)–\(r.offset &+ r.storedSize)) lies past the end of the \(size)-byte file (truncated?)")
            }
            guard r.isCompressed || r.originalSize == r.storedSize else {
                throw WIMSanityError("the uncompressed \(what) says \(r.originalSize) bytes but holds \(r.storedSize)")
            }
            guard r.originalSize <= cap else {
                throw WIMSanityError("the \(what) claims \(r.originalSize) bytes, more than the \(cap >> 20) MiB mediafs accepts")
            }
        }
        let blobTable = Resource(header[48..<72])
        let xml = Resource(header[72..<96])
        try inside(blobTable, "blob table", cap: tableCap)
        try inside(xml, "XML data", cap: tableCap)
        let boot = Resource(header[96..<120])
        if boot.storedSize != 0 || boot.originalSize != 0 { try inside(boot, "boot metadata resource", cap: metadataCap) }

        // The blob table is uncompressed (checked above: as long as it says) and at most tableCap.
        guard !blobTable.isCompressed else { throw WIMSanityError("the blob table is compressed") }
        var table = [UInt8](repeating: 0, count: Int(blobTable.storedSize))
        do { try table.withUnsafeMutableBytes { try file.readExactly(into: $0, at: blobTable.offset) } } catch {
            throw WIMSanityError("cannot read the blob table: \(error)")
        }
        // A compressed resource holds a chunk table: one entry (4 bytes, 8 from 4 GiB on) per
        // chunk after the first. So its stored size bounds the size it may claim, whatever the
        // compression ratio — what stops a few stored bytes from claiming a gigabyte.
        let chunkSize = max(littleEndian(header[...], 20, 4), 32768)
        func chunkTableFits(_ r: Resource, _ what: String) throws(WIMSanityError) {
            guard r.isCompressed, r.originalSize > 0 else { return }
            let entry: UInt64 = r.originalSize >= 1 << 32 ? 8 : 4
            let needed = (r.originalSize - 1) / chunkSize * entry
            guard r.storedSize >= needed else {
                throw WIMSanityError("the compressed \(what) claims \(r.originalSize) bytes, but its \(r.storedSize) stored bytes cannot hold the chunk table for that many")
            }
        }
        try chunkTableFits(boot, "boot metadata resource")

        var start = 0, index = 0, metadataEntries: UInt64 = 0
        while start + blobEntrySize <= table.count {
            let r = Resource(table[start..<start + 24])
            if r.isMetadata { metadataEntries += 1 }
            // A solid resource's entries describe places inside it; wimlib checks those.
            if r.isMetadata && !r.isSolid {
                let what = "metadata resource (blob table entry \(index))"
                try inside(r, what, cap: metadataCap)
                try chunkTableFits(r, what)
            }
            start += blobEntrySize
            index += 1
        }
        // wimlib allocates one record per image the header counts, before it reads them
        // (found by `Scripts/fuzz wim`: 788,529,153 images claimed in 1,752 bytes).
        let imageCount = littleEndian(header[...], 44, 4)
        guard imageCount <= metadataEntries else {
            throw WIMSanityError("the header counts \(imageCount) images, but the blob table holds \(metadataEntries) image metadata resources")
        }
    }
}

struct WIMSanityError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
