import MediaTree

/// ECMA-119 8.4 (primary) and 8.5 (supplementary: Joliet) volume descriptors, and the terminator (8.3).
enum VolumeDescriptor {
    /// What both descriptors of a disc share, but for their own hierarchy.
    struct Hierarchy {
        let pathTableLength: UInt32
        let typeLPathTable: UInt32
        let typeMPathTable: UInt32
        let rootRecord: [UInt8]
    }

    static let applicationIdentifier = "MEDIAFS"

    /// The primary descriptor: identifiers in d-characters (the volume ID is
    /// the label upper-cased, other characters `_`, at most 32).
    static func primary(label: String, volumeSectors: UInt32, created: Timestamp, hierarchy: Hierarchy) -> [UInt8] {
        let volumeID = String(Names.dCharacters(label).prefix(32))
        return descriptor(type: 1, hierarchy: hierarchy, volumeSectors: volumeSectors, created: created) { w in
            w.put(TextField.ascii("", length: 32), at: 8)                           // system identifier
            w.put(TextField.ascii(volumeID, length: 32), at: 40)
            w.put(TextField.ascii(volumeID, length: 128), at: 190)                  // volume set identifier
            w.put(TextField.ascii("", length: 128), at: 318)                         // publisher
            w.put(TextField.ascii("", length: 128), at: 446)                         // data preparer
            w.put(TextField.ascii(applicationIdentifier, length: 128), at: 574)
            for field in [702, 739, 776] { w.put(TextField.ascii("", length: 37), at: field) }
        }
    }

    /// The Joliet descriptor: UCS-2 identifiers, escape sequence `%/E` (UCS-2
    /// level 3); the volume ID is the label in full, at most 16 characters.
    static func joliet(label: String, volumeSectors: UInt32, created: Timestamp, hierarchy: Hierarchy) -> [UInt8] {
        descriptor(type: 2, hierarchy: hierarchy, volumeSectors: volumeSectors, created: created) { w in
            w.put(TextField.ucs2("", length: 32), at: 8)
            w.put(TextField.ucs2(label, length: 32), at: 40)
            w.put(Array("%/E".utf8), at: 88)
            w.put(TextField.ucs2(label, length: 128), at: 190)
            w.put(TextField.ucs2("", length: 128), at: 318)
            w.put(TextField.ucs2("", length: 128), at: 446)
            w.put(TextField.ucs2(applicationIdentifier, length: 128), at: 574)
            for field in [702, 739, 776] { w.put(TextField.ucs2("", length: 37), at: field) }
        }
    }

    static func terminator() -> [UInt8] {
        var w = FieldWriter(size: Int(sectorSize))
        w.put8(255, at: 0)
        w.put(Array("CD001".utf8), at: 1)
        w.put8(1, at: 6)
        return w.bytes
    }

    private static func descriptor(type: UInt8, hierarchy: Hierarchy, volumeSectors: UInt32, created: Timestamp,
                                   identifiers: (inout FieldWriter) -> Void) -> [UInt8] {
        var w = FieldWriter(size: Int(sectorSize))
        w.put8(type, at: 0)
        w.put(Array("CD001".utf8), at: 1)
        w.put8(1, at: 6)
        identifiers(&w)
        w.putBoth32(volumeSectors, at: 80)
        w.putBoth16(1, at: 120)            // volume set size: every disc of a set stands alone
        w.putBoth16(1, at: 124)            // volume sequence number
        w.putBoth16(UInt16(sectorSize), at: 128)
        w.putBoth32(hierarchy.pathTableLength, at: 132)
        w.putLE32(hierarchy.typeLPathTable, at: 140)
        w.putBE32(hierarchy.typeMPathTable, at: 148)
        w.put(hierarchy.rootRecord, at: 156)
        w.put(ISODate.volume(created), at: 813)      // creation
        w.put(ISODate.volume(created), at: 830)      // modification
        w.put(ISODate.unspecified, at: 847)          // expiration
        w.put(ISODate.unspecified, at: 864)          // effective
        w.put8(1, at: 881)                           // file structure version
        return w.bytes
    }
}
