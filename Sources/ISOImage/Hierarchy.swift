import MediaTree

/// One directory hierarchy of a disc — the primary (ISO 9660 level 3 names)
/// or the Joliet one. Both describe the same folders and the same file
/// extents; they differ in identifiers, hence in record order, path table
/// order and sizes. Sizes are known before locations, so the whole image is
/// planned before any byte is made (as libisofs does).
struct Hierarchy {
    enum Kind { case primary, joliet }

    struct Entry {
        let child: PlanChild
        let identifier: [UInt8]
    }

    let kind: Kind
    /// Per folder: its children in record order (ECMA-119 9.3).
    private(set) var entries: [[Entry]]
    /// Per folder: its own identifier (the root's is one zero byte).
    private(set) var identifiers: [[UInt8]]
    /// Folder indices in path table order (6.9.1); a folder's number is its position + 1.
    private(set) var pathTableOrder: [Int] = []
    private(set) var numbers: [Int]
    /// Per folder: the bytes of its directory extent (a multiple of 2048).
    private(set) var extentLengths: [UInt64]
    /// Per folder: the sector of its directory extent, set by `place`.
    private(set) var locations: [UInt32]
    /// Bytes of one path table (the L and M tables are the same size).
    private(set) var pathTableLength: UInt64 = 0
    /// Per folder: its parent (the root is its own parent).
    private let parents: [Int]

    init(kind: Kind, content: DiscContent) {
        self.kind = kind
        let count = content.folders.count
        entries = Array(repeating: [], count: count)
        identifiers = Array(repeating: [0], count: count)
        numbers = Array(repeating: 0, count: count)
        extentLengths = Array(repeating: 0, count: count)
        locations = Array(repeating: 0, count: count)
        parents = content.folders.map(\.parent)

        for (index, folder) in content.folders.enumerated() {
            let named = folder.children.map { child -> (name: String, isDirectory: Bool) in
                switch child {
                case .folder(let f): return (content.folders[f].name, true)
                case .file(let f): return (content.files[f].file.name, false)
                }
            }
            var keyed: [(Entry, IdentifierOrder)] = []
            keyed.reserveCapacity(named.count)
            switch kind {
            case .primary:
                let ids = Names.primaryIdentifiers(named)
                for (i, child) in folder.children.enumerated() {
                    keyed.append((Entry(child: child, identifier: Array(ids[i].utf8)),
                                  IdentifierOrder(primary: ids[i], isDirectory: named[i].isDirectory)))
                }
            case .joliet:
                for (i, child) in folder.children.enumerated() {
                    keyed.append((Entry(child: child, identifier: Names.jolietIdentifier(named[i].name)),
                                  IdentifierOrder(joliet: named[i].name, isDirectory: named[i].isDirectory)))
                }
            }
            // Identifiers are unique within a folder, so the order is total and stable.
            keyed.sort { $0.1 < $1.1 }
            entries[index] = keyed.map(\.0)
            for entry in entries[index] {
                if case .folder(let f) = entry.child { identifiers[f] = entry.identifier }
            }
        }

        // Path table order: level by level, within a level by parent number, then
        // by identifier — a breadth-first walk over the sorted records gives exactly that.
        pathTableOrder = [0]
        var next = 0
        while next < pathTableOrder.count {
            for entry in entries[pathTableOrder[next]] {
                if case .folder(let f) = entry.child { pathTableOrder.append(f) }
            }
            next += 1
        }
        for (position, folder) in pathTableOrder.enumerated() {
            numbers[folder] = position + 1
            pathTableLength += UInt64(PathTable.recordLength(identifiers[folder].count))
        }

        for index in 0..<count {
            var packer = RecordPacker()
            packer.place(DirectoryRecord.length(identifierLength: 1))   // "."
            packer.place(DirectoryRecord.length(identifierLength: 1))   // ".."
            for entry in entries[index] {
                let length = DirectoryRecord.length(identifierLength: entry.identifier.count)
                let copies: Int
                switch entry.child {
                case .folder: copies = 1
                case .file(let f): copies = Extents.count(size: content.files[f].file.size)
                }
                for _ in 0..<copies { packer.place(length) }
            }
            extentLengths[index] = packer.extentLength
        }
    }

    /// Sectors of all directory extents.
    var directorySectors: UInt64 { extentLengths.reduce(0) { $0 + $1 / sectorSize } }

    /// Gives each directory its extent, in path table order, from sector `start`; returns the next free sector.
    mutating func place(from start: UInt64) -> UInt64 {
        var sector = start
        for folder in pathTableOrder {
            locations[folder] = UInt32(truncatingIfNeeded: sector)
            sector += extentLengths[folder] / sectorSize
        }
        return sector
    }

    /// The path table in little-endian (type L) or big-endian (type M) byte order.
    func pathTable(bigEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(pathTableLength))
        for folder in pathTableOrder {
            let parentNumber = UInt16(truncatingIfNeeded: numbers[parents[folder]])
            bytes += PathTable.record(identifier: identifiers[folder], location: locations[folder],
                                      parentNumber: parentNumber, bigEndian: bigEndian)
        }
        return bytes
    }

    /// The directory record of folder `folder` as its parent's entry (or as the root record with identifier 0).
    func folderRecord(_ folder: Int, identifier: [UInt8], content: DiscContent) -> [UInt8] {
        DirectoryRecord.make(identifier: identifier, location: locations[folder],
                             length: UInt32(truncatingIfNeeded: extentLengths[folder]),
                             time: content.folders[folder].modified, flags: DirectoryRecord.directoryFlag)
    }

    /// All directory extents, in path table order (their order on the disc).
    func directories(content: DiscContent, fileLocations: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(extentLengths.reduce(0, +)))
        for folder in pathTableOrder {
            var records: [[UInt8]] = []
            records.append(folderRecord(folder, identifier: [0], content: content))
            records.append(folderRecord(content.folders[folder].parent, identifier: [1], content: content))
            for entry in entries[folder] {
                switch entry.child {
                case .folder(let f):
                    records.append(folderRecord(f, identifier: entry.identifier, content: content))
                case .file(let f):
                    let planned = content.files[f]
                    let flags: UInt8 = planned.file.attributes.contains(.hidden) ? DirectoryRecord.hiddenFlag : 0
                    let extents = Extents.split(start: fileLocations[f], size: planned.file.size)
                    for (i, extent) in extents.enumerated() {
                        let last = i == extents.count - 1
                        records.append(DirectoryRecord.make(identifier: entry.identifier, location: extent.location,
                                                            length: extent.length, time: planned.file.modified,
                                                            flags: flags | (last ? 0 : DirectoryRecord.multiExtentFlag)))
                    }
                }
            }
            var packer = RecordPacker()
            var extent = [UInt8](repeating: 0, count: Int(extentLengths[folder]))
            for record in records {
                let offset = packer.place(record.count)
                extent.replaceSubrange(offset ..< offset + record.count, with: record)
            }
            bytes += extent
        }
        return bytes
    }
}

/// Places directory records so that none crosses a sector boundary (ECMA-119
/// 6.8.1.1): a record that does not fit the rest of a sector starts the next.
/// Sizing and writing both go through it, so they cannot disagree.
struct RecordPacker {
    private var offset = 0

    @discardableResult
    mutating func place(_ length: Int) -> Int {
        let room = Int(sectorSize) - offset % Int(sectorSize)
        if length > room { offset += room }
        let at = offset
        offset += length
        return at
    }

    var extentLength: UInt64 { max(1, sectors(UInt64(offset))) * sectorSize }
}

/// ECMA-119 9.1: directory records.
enum DirectoryRecord {
    static let hiddenFlag: UInt8 = 0x01        // "Existence": hide from the user
    static let directoryFlag: UInt8 = 0x02
    static let multiExtentFlag: UInt8 = 0x80   // "not the final record of this file"

    /// 33 fixed bytes, the identifier, and a pad byte when the identifier length is even.
    static func length(identifierLength: Int) -> Int {
        33 + identifierLength + (identifierLength % 2 == 0 ? 1 : 0)
    }

    static func make(identifier: [UInt8], location: UInt32, length: UInt32, time: Timestamp, flags: UInt8) -> [UInt8] {
        var w = FieldWriter(size: self.length(identifierLength: identifier.count))
        w.put8(UInt8(w.bytes.count), at: 0)
        w.putBoth32(location, at: 2)
        w.putBoth32(length, at: 10)
        w.put(ISODate.recording(time), at: 18)
        w.put8(flags, at: 25)
        w.putBoth16(1, at: 28)            // volume sequence number: each disc is a volume of its own
        w.put8(UInt8(identifier.count), at: 32)
        w.put(identifier, at: 33)
        return w.bytes
    }
}

/// ECMA-119 9.4: path table records.
enum PathTable {
    static func recordLength(_ identifierLength: Int) -> Int { 8 + identifierLength + identifierLength % 2 }

    static func record(identifier: [UInt8], location: UInt32, parentNumber: UInt16, bigEndian: Bool) -> [UInt8] {
        var w = FieldWriter(size: recordLength(identifier.count))
        w.put8(UInt8(identifier.count), at: 0)
        w.put(bigEndian ? be32(location) : le32(location), at: 2)
        w.put(bigEndian ? be16(parentNumber) : le16(parentNumber), at: 6)
        w.put(identifier, at: 8)
        return w.bytes
    }
}

/// Files of 4 GiB or more are recorded as several extents (ECMA-119 6.5.1,
/// interchange level 3), each a directory record with the same name, laid
/// one after the other so the data stays one contiguous run. Every extent but
/// the last holds 0xFFFFF800 bytes (4 GiB − 2 KiB, a whole number of sectors),
/// as xorriso does.
enum Extents {
    static let maximumLength: UInt64 = 0xFFFF_F800

    static func count(size: UInt64) -> Int {
        size <= UInt64(UInt32.max) ? 1 : Int((size + maximumLength - 1) / maximumLength)
    }

    static func split(start: UInt32, size: UInt64) -> [(location: UInt32, length: UInt32)] {
        if size <= UInt64(UInt32.max) { return [(start, UInt32(size))] }
        var result: [(UInt32, UInt32)] = []
        var remaining = size
        var location = UInt64(start)
        while remaining > 0 {
            let length = min(remaining, maximumLength)
            result.append((UInt32(truncatingIfNeeded: location), UInt32(length)))
            location += length / sectorSize
            remaining -= length
        }
        return result
    }
}
