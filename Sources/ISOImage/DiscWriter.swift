import MediaTree
import RegionMap

/// Plans one disc completely — every sector's place — then emits its layout.
///
/// Sector map (2 KiB sectors):
///
///     0–15   system area (zeros, or the hybrid MBR + GPT)
///     16     primary volume descriptor
///     17     El Torito boot record (bootable discs)
///     next   Joliet supplementary descriptor, then the terminator
///     next   boot catalog (bootable discs)
///     next   path tables: primary L, primary M, Joliet L, Joliet M
///     next   primary directories, then Joliet directories (path table order)
///     next   the patched copy of the BIOS loader (when it takes a boot info table)
///     next   the UEFI FAT image (a layout inside the layout)
///     next   file data, in the tree's order, each file from a sector boundary
///     last   the backup GPT (hybrid with UEFI)
enum DiscWriter {
    static func layout(tree: MediaTree, content: DiscContent, boot: BootSetup?, seed: [UInt8]) throws(ISOImageError) -> Layout {
        guard content.folders.count <= 65_535 else { throw .tooManyFolders(count: content.folders.count) }
        var primary = Hierarchy(kind: .primary, content: content)
        var joliet = Hierarchy(kind: .joliet, content: content)
        let bootable = boot?.isBootable ?? false

        // --- Plan: give every piece its sectors. ---
        var next: UInt64 = 16
        func take(_ count: UInt64) -> UInt32 {
            let at = UInt32(truncatingIfNeeded: next)
            next += count
            return at
        }
        _ = take(1)                                         // primary descriptor at 16
        if bootable { _ = take(1) }                         // boot record at 17
        _ = take(2)                                         // Joliet descriptor, terminator
        let catalogSector = bootable ? take(1) : 0
        let primaryL = take(sectors(primary.pathTableLength))
        let primaryM = take(sectors(primary.pathTableLength))
        let jolietL = take(sectors(joliet.pathTableLength))
        let jolietM = take(sectors(joliet.pathTableLength))
        next = primary.place(from: next)
        next = joliet.place(from: next)

        let loaderCopySector: UInt32? = boot?.loader.flatMap { $0.needsCopy ? take(sectors($0.file.size)) : nil }
        let efiSector: UInt32? = boot?.efi.map { take(sectors($0.size)) }

        var fileSectors = [UInt32](repeating: 0, count: content.files.count)
        for (index, planned) in content.files.enumerated() where planned.file.size > 0 {
            // Empty files get sector 0 and length 0, as genisoimage records them.
            fileSectors[index] = take(sectors(planned.file.size))
        }
        let gpt = boot.map { $0.hybrid && $0.efi != nil } ?? false
        if gpt { _ = take(SystemArea.gptTailSectors) }
        let totalSectors = next
        guard totalSectors <= UInt64(UInt32.max) else { throw .imageTooLarge(bytes: totalSectors * sectorSize) }

        // The BIOS entry starts the patched copy, or the loader file's own extent.
        var loaderSector: UInt32? = nil
        if let loader = boot?.loader {
            if let copy = loaderCopySector {
                loaderSector = copy
            } else if let index = content.files.firstIndex(where: { $0.path == loader.path }) {
                loaderSector = fileSectors[index]
            }
        }

        // --- Emit. ---
        var builder = LayoutBuilder()
        let systemArea: SystemArea.Plan? = boot.flatMap { boot in
            guard boot.hybrid else { return nil }
            return SystemArea.Plan(mbrCode: boot.mbrCode, loaderSector: loaderSector,
                                   esp: efiSector.flatMap { sector in boot.efi.map { (sector, $0.size) } },
                                   totalSectors: totalSectors, seed: seed)
        }
        if let systemArea {
            builder.append(bytes: SystemArea.bytes(systemArea), label: .structure("system area (hybrid MBR and GPT)"))
        } else {
            builder.appendZeros(16 * sectorSize, label: .structure("system area"))
        }

        let created = tree.root.modified
        let volumeSectors = UInt32(totalSectors)
        var descriptors: [UInt8] = []
        descriptors += VolumeDescriptor.primary(label: tree.label, volumeSectors: volumeSectors, created: created, hierarchy: .init(
            pathTableLength: UInt32(primary.pathTableLength), typeLPathTable: primaryL, typeMPathTable: primaryM,
            rootRecord: primary.folderRecord(0, identifier: [0], content: content)))
        if bootable { descriptors += ElTorito.bootRecord(catalog: catalogSector) }
        descriptors += VolumeDescriptor.joliet(label: tree.label, volumeSectors: volumeSectors, created: created, hierarchy: .init(
            pathTableLength: UInt32(joliet.pathTableLength), typeLPathTable: jolietL, typeMPathTable: jolietM,
            rootRecord: joliet.folderRecord(0, identifier: [0], content: content)))
        descriptors += VolumeDescriptor.terminator()
        builder.append(bytes: descriptors, label: .structure("volume descriptors"))
        descriptors = []
        if bootable, let boot {
            var images: [ElTorito.Entry] = []
            if let loader = boot.loader, let sector = loaderSector {
                images.append(.init(platform: ElTorito.platformBIOS, sectorCount: loader.loadSectors, location: sector))
            }
            if let efi = boot.efi, let sector = efiSector {
                images.append(.init(platform: ElTorito.platformEFI, sectorCount: UInt16((efi.size + 511) / 512), location: sector))
            }
            builder.append(bytes: ElTorito.catalog(images), label: .structure("El Torito boot catalog"))
        }
        for table in [primary.pathTable(bigEndian: false), primary.pathTable(bigEndian: true),
                      joliet.pathTable(bigEndian: false), joliet.pathTable(bigEndian: true)] {
            descriptors += table
            descriptors += [UInt8](repeating: 0, count: Int(sectors(UInt64(table.count)) * sectorSize) - table.count)
        }
        builder.append(bytes: descriptors, label: .structure("path tables"))
        builder.append(bytes: primary.directories(content: content, fileLocations: fileSectors),
                       label: .structure("ISO 9660 directory records"))
        builder.append(bytes: joliet.directories(content: content, fileLocations: fileSectors),
                       label: .structure("Joliet directory records"))

        if let loader = boot?.loader, let bytes = loader.content, let sector = loaderCopySector {
            // The patched head as bytes, the rest straight from the loader's source.
            let patched = ElTorito.patch(bytes, location: sector, bootInfoTable: loader.bootInfoTable,
                                         grub2BootInfo: loader.grub2BootInfo)
            let head = ElTorito.patchedLength(grub2BootInfo: loader.grub2BootInfo)
            let label = RegionLabel.structure("boot loader copy (\(loader.path), boot info table patched in)")
            builder.append(bytes: Array(patched[0..<head]), label: label)
            appendSource(loader.file.source, from: head, label: label, to: &builder)
            builder.pad(toMultipleOf: sectorSize)
        }
        if let efi = boot?.efi {
            builder.append(layout: efi, label: .structure("EFI boot image (El Torito)"))
            builder.pad(toMultipleOf: sectorSize)
        }
        for planned in content.files {
            appendSource(planned.file.source, from: 0, label: .file(planned.path), to: &builder)
            builder.pad(toMultipleOf: sectorSize)
        }
        if gpt, let systemArea { builder.append(bytes: SystemArea.gptTail(systemArea), label: .structure("backup GPT")) }
        precondition(builder.size == totalSectors * sectorSize, "ISO plan and emitted layout disagree")
        return builder.build()
    }

    /// A file's bytes from `offset` on, as one region: a blob range, or synthesized bytes.
    private static func appendSource(_ source: ByteSource, from offset: Int, label: RegionLabel,
                                     to builder: inout LayoutBuilder) {
        let length = source.size - UInt64(offset)
        switch source {
        case .blob(let blob): builder.append(.blob(blob, offset: UInt64(offset)), length: length, label: label)
        case .bytes(let shared): builder.append(.bytes(shared, offset: offset), length: length, label: label)
        }
    }
}
