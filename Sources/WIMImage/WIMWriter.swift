import Crypto
import MediaData  // xmlEscape: one escaper for every XML mediafs writes
import MediaTree
import RegionMap
import SystemIO

/// Emits a planned WIM as a layout: the tables are encoded here, in memory;
/// file data stays where it is (blob ranges, synthesized bytes).
struct WIMWriter {
    let plan: WIMPlan
    let properties: WIMProperties
    let fingerprint: [UInt8]

    /// Resource header flag: a metadata resource (wimlib also sets it on the lookup table and the XML).
    static let metadataFlag: UInt8 = 0x02
    static let lookupEntrySize = 50
    static let noSecurityID: UInt32 = 0xFFFF_FFFF
    static let directoryAttribute: UInt32 = 0x10
    static let normalAttribute: UInt32 = 0x80

    func layout() -> Layout {
        let metadata = metadataResource()
        let metadataSHA1 = SHA1Digest.of(metadata)
        let metadataOffset = plan.metadataOffset
        let tableOffset = metadataOffset + UInt64(metadata.count)
        let table = lookupTable(metadataOffset: metadataOffset, metadataSize: UInt64(metadata.count), metadataSHA1: metadataSHA1)
        let xmlOffset = tableOffset + UInt64(table.count)
        let xml = xmlData(totalBytes: xmlOffset)

        var builder = LayoutBuilder()
        builder.append(bytes: header(tableOffset: tableOffset, tableSize: UInt64(table.count),
                                     xmlOffset: xmlOffset, xmlSize: UInt64(xml.count)))
        for resource in plan.resources {
            switch resource.source {
            case .blob(let blob):
                // The blob carries its SHA-1 too, so a verified export checks the name the WIM gives it.
                let named = Blob(path: blob.path, size: blob.size, sha256: blob.sha256, sha1: resource.sha1.description,
                                 library: blob.library)
                builder.append(.blob(named, offset: 0), length: resource.size)
            case .bytes(let shared):
                builder.append(shared: shared)
            }
        }
        precondition(builder.size == metadataOffset, "WIM data ends at \(builder.size), planned \(metadataOffset)")
        builder.append(bytes: metadata)
        builder.append(bytes: table)
        builder.append(bytes: xml)
        return builder.build()
    }

    // MARK: header

    func header(tableOffset: UInt64, tableSize: UInt64, xmlOffset: UInt64, xmlSize: UInt64) -> [UInt8] {
        var out = ByteWriter(count: Int(WIMPlan.headerSize))
        out.put(Array("MSWIM".utf8), at: 0)             // magic MSWIM\0\0\0
        out.putLE(UInt32(WIMPlan.headerSize), at: 8)
        out.putLE(UInt32(0x10D00), at: 12)             // version
        out.putLE(UInt32(0), at: 16)                   // flags: no compression
        out.putLE(UInt32(0), at: 20)                   // chunk size: 0 without compression
        out.put(guid, at: 24)
        out.putLE(UInt16(1), at: 40)                   // part 1 of 1
        out.putLE(UInt16(1), at: 42)
        out.putLE(UInt32(1), at: 44)                   // one image
        out.putResourceHeader(at: 48, size: tableSize, flags: Self.metadataFlag, offset: tableOffset)
        out.putResourceHeader(at: 72, size: xmlSize, flags: Self.metadataFlag, offset: xmlOffset)
        // 96: boot metadata (none), 120: boot index 0, 124: integrity table (none), 148: unused.
        return out.bytes
    }

    /// 16 bytes of SHA-256 over the tree's fingerprint and the XML properties:
    /// different media, different GUIDs; the same media, the same one.
    var guid: [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array("mediafs wim guid v1\0".utf8))
        hasher.update(data: fingerprint)
        for text in [properties.name, properties.createdBy ?? "", properties.version ?? "", properties.comment ?? ""] {
            hasher.update(data: Array(text.utf8) + [0])
        }
        return Array(hasher.finalize().prefix(16))
    }

    // MARK: metadata resource

    func metadataResource() -> [UInt8] {
        var out = ByteWriter(count: Int(plan.metadataSize))
        out.putLE(UInt32(WIMPlan.securityBlockSize), at: 0)   // total length 8, 0 entries
        let root = plan.directories[0]
        writeDentry(&out, at: Int(WIMPlan.securityBlockSize), name: "", attributes: Self.directoryAttribute,
                    childList: root.childListOffset, time: root.node.modified, sha1: nil)
        // The root's 8-byte terminator and every list's terminator are the zeros already there.
        for directory in plan.directories {
            var at = Int(directory.childListOffset)
            for (i, child) in directory.children.enumerated() {
                let length: Int
                switch child {
                case .directory(let d):
                    let list = directory.childDirectory[i].map { plan.directories[$0].childListOffset } ?? 0
                    length = writeDentry(&out, at: at, name: d.name, attributes: Self.directoryAttribute,
                                         childList: list, time: d.modified, sha1: nil)
                case .file(let f):
                    let raw = f.attributes.rawValue & ~Self.directoryAttribute
                    length = writeDentry(&out, at: at, name: f.name, attributes: raw == 0 ? Self.normalAttribute : raw,
                                         childList: 0, time: f.modified, sha1: directory.childSHA1[i])
                }
                at += length
            }
        }
        return out.bytes
    }

    /// Writes one dentry at `at`; returns its length.
    @discardableResult
    func writeDentry(_ out: inout ByteWriter, at: Int, name: String, attributes: UInt32, childList: UInt64,
                     time: Timestamp, sha1: SHA1Digest?) -> Int {
        let length = WIMPlan.dentryLength(name: name)
        out.putLE(UInt64(length), at: at)
        out.putLE(attributes, at: at + 8)
        out.putLE(Self.noSecurityID, at: at + 12)
        out.putLE(childList, at: at + 16)
        let fileTime = time.fileTime
        out.putLE(fileTime, at: at + 40)   // creation
        out.putLE(fileTime, at: at + 48)   // last access
        out.putLE(fileTime, at: at + 56)   // last write
        if let sha1 { out.put(sha1, at: at + 64) }
        var nameBytes = 0
        for unit in name.utf16 {
            out.putLE(unit, at: at + WIMPlan.dentryFixedSize + nameBytes)
            nameBytes += 2
        }
        out.putLE(UInt16(nameBytes), at: at + 100)
        return length
    }

    // MARK: lookup table

    func lookupTable(metadataOffset: UInt64, metadataSize: UInt64, metadataSHA1: SHA1Digest) -> [UInt8] {
        var out = ByteWriter(count: (plan.resources.count + 1) * Self.lookupEntrySize)
        var at = 0
        func entry(size: UInt64, flags: UInt8, offset: UInt64, references: UInt32, sha1: SHA1Digest) {
            out.putResourceHeader(at: at, size: size, flags: flags, offset: offset)
            out.putLE(UInt16(1), at: at + 24)
            out.putLE(references, at: at + 26)
            out.put(sha1, at: at + 30)
            at += Self.lookupEntrySize
        }
        for r in plan.resources { entry(size: r.size, flags: 0, offset: r.offset, references: r.referenceCount, sha1: r.sha1) }
        entry(size: metadataSize, flags: Self.metadataFlag, offset: metadataOffset, references: 1, sha1: metadataSHA1)
        return out.bytes
    }

    // MARK: XML

    /// UTF-16LE with a byte-order mark, no declaration. `totalBytes` is the XML's
    /// own offset (what wimlib writes: the file's size before the XML).
    func xmlData(totalBytes: UInt64) -> [UInt8] {
        let time = plan.directories[0].node.modified.fileTime
        func fileTime(_ element: String) -> String {
            "<\(element)><HIGHPART>\(hex32(UInt32(time >> 32)))</HIGHPART><LOWPART>\(hex32(UInt32(time & 0xFFFF_FFFF)))</LOWPART></\(element)>"
        }
        var image = "<IMAGE INDEX=\"1\">"
        image += "<DIRCOUNT>\(plan.directories.count)</DIRCOUNT>"
        image += "<FILECOUNT>\(plan.fileCount)</FILECOUNT>"
        image += "<TOTALBYTES>\(plan.totalFileBytes)</TOTALBYTES>"
        image += "<HARDLINKBYTES>0</HARDLINKBYTES>"
        image += fileTime("CREATIONTIME") + fileTime("LASTMODIFICATIONTIME")
        image += WIMXML.descriptiveElements(properties)
        image += "</IMAGE>"
        let text = "<WIM><TOTALBYTES>\(totalBytes)</TOTALBYTES>" + image + "</WIM>"
        var out: [UInt8] = [0xFF, 0xFE]
        out.reserveCapacity(2 + text.utf16.count * 2)
        for unit in text.utf16 { out.append(UInt8(unit & 0xFF)); out.append(UInt8(unit >> 8)) }
        return out
    }

    func hex32(_ v: UInt32) -> String { "0x" + Hex.upper(v, digits: 8) }
}

/// Which XML element holds which descriptive field — mediafs's choice, in one place:
/// `<NAME>` the label; `<DESCRIPTION>` the comment; `<DISPLAYNAME>` the label and the
/// version; `<DISPLAYDESCRIPTION>` "Created by …"; and all three fields again, as
/// given, under `<MEDIAFS>` (`<CREATEDBY>`, `<VERSION>`, `<COMMENT>`) for programs.
/// `wimlib-imagex info` shows NAME, DESCRIPTION, DISPLAYNAME and DISPLAYDESCRIPTION.
enum WIMXML {
    static func descriptiveElements(_ p: WIMProperties) -> String {
        var out = "<NAME>\(xmlEscape(p.name))</NAME>"
        if let comment = p.comment { out += "<DESCRIPTION>\(xmlEscape(comment))</DESCRIPTION>" }
        if let version = p.version { out += "<DISPLAYNAME>\(xmlEscape(p.name + " " + version))</DISPLAYNAME>" }
        if let createdBy = p.createdBy { out += "<DISPLAYDESCRIPTION>\(xmlEscape("Created by " + createdBy))</DISPLAYDESCRIPTION>" }
        if p.createdBy != nil || p.version != nil || p.comment != nil {
            out += "<MEDIAFS>"
            if let v = p.createdBy { out += "<CREATEDBY>\(xmlEscape(v))</CREATEDBY>" }
            if let v = p.version { out += "<VERSION>\(xmlEscape(v))</VERSION>" }
            if let v = p.comment { out += "<COMMENT>\(xmlEscape(v))</COMMENT>" }
            out += "</MEDIAFS>"
        }
        return out
    }
}

/// Little-endian fields into a zero-filled buffer.
struct ByteWriter {
    var bytes: [UInt8]

    init(count: Int) { bytes = [UInt8](repeating: 0, count: count) }

    mutating func put(_ data: [UInt8], at offset: Int) {
        bytes.replaceSubrange(offset ..< offset + data.count, with: data)
    }

    mutating func put(_ sha1: SHA1Digest, at offset: Int) {
        bytes.withUnsafeMutableBytes { sha1.store(into: $0, at: offset) }
    }

    mutating func putLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= bytes.count, "field at \(offset) past the table's end")
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }

    /// 7 bytes size in the file, 1 byte flags, 8 bytes offset, 8 bytes original size
    /// (uncompressed: equal to the size in the file).
    mutating func putResourceHeader(at offset: Int, size: UInt64, flags: UInt8, offset resourceOffset: UInt64) {
        putLE(size, at: offset)          // the 8th byte is overwritten by the flags
        bytes[offset + 7] = flags
        putLE(resourceOffset, at: offset + 8)
        putLE(size, at: offset + 16)
    }
}
