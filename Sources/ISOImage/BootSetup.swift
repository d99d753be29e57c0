import FATImage
import MediaTree
import RegionMap

/// The boot pieces of the first disc, prepared once from the options: the
/// BIOS loader (and its patched bytes), the UEFI FAT image, the MBR code.
struct BootSetup {
    struct Loader {
        let path: String
        let file: MediaFile
        let loadSectors: UInt16
        let bootInfoTable: Bool
        let grub2BootInfo: Bool
        /// The loader's bytes when they must be patched (read at layout time), else nil.
        let content: [UInt8]?

        /// When patched, El Torito points at a hidden patched copy, and the
        /// file in the tree keeps the library's bytes (so the ISO's files equal
        /// the tree, `mediafs tree` hashes included); else at the file itself.
        var needsCopy: Bool { content != nil }
    }

    var loader: Loader?
    var efi: Layout?
    var mbrCode: [UInt8]?
    var hybrid: Bool
    /// Paths (files or folders) that must be on the first disc of a set.
    var firstDiscPaths: [String]

    /// Largest loader read into memory for patching (GRUB's is ~125 KiB, etfsboot 4 KiB).
    static let maximumPatchedLoader: UInt64 = 32 << 20
    /// An El Torito entry counts 512-byte sectors in 16 bits.
    static let maximumEFIImage: UInt64 = 65_535 * 512

    var isBootable: Bool { loader != nil || efi != nil }

    /// ISO sectors the boot pieces add to the first disc (catalog excluded).
    var extraSectors: UInt64 {
        var total: UInt64 = 0
        if let loader, loader.needsCopy { total += sectors(loader.file.size) }
        if let efi { total += sectors(efi.size) }
        if hybrid && efi != nil { total += SystemArea.gptTailSectors }
        return total
    }

    init(tree: MediaTree, options: ISOOptions) throws(ISOImageError) {
        hybrid = options.hybrid
        firstDiscPaths = options.firstDiscPaths

        if let path = options.biosLoader {
            let file = try Self.file(tree, path, role: "BIOS boot loader")
            guard options.loadSectors > 0 else { throw .badOptions("loadSectors is 0; the BIOS entry must load at least one sector") }
            let grub2 = options.hybrid && options.hybridMBRCode != nil
            var content: [UInt8]? = nil
            if options.bootInfoTable || grub2 {
                let needed = ElTorito.patchedLength(grub2BootInfo: grub2)
                guard file.size >= UInt64(needed) else {
                    throw .bootFileUnusable(path: path, problem: "\(file.size) bytes is too short for the boot info \(grub2 ? "table and GRUB2 boot info (2,556 bytes)" : "table (64 bytes)")")
                }
                guard file.size <= Self.maximumPatchedLoader else {
                    throw .bootFileUnusable(path: path, problem: "\(file.size) bytes is too large for a loader with a boot info table (at most \(Self.maximumPatchedLoader))")
                }
                content = try Self.read(file, path)
            }
            loader = Loader(path: path, file: file, loadSectors: options.loadSectors,
                            bootInfoTable: options.bootInfoTable, grub2BootInfo: grub2, content: content)
            firstDiscPaths.append(path)
        }

        if options.uefi, let path = options.uefiImage {
            // A ready image (efisys.bin) is served from the file itself: one more region over its bytes.
            let file = try Self.file(tree, path, role: "UEFI El Torito image")
            guard file.size > 0, file.size <= Self.maximumEFIImage else {
                throw .bootFileUnusable(path: path, problem: "\(file.size) bytes is not a UEFI El Torito image (1 to \(Self.maximumEFIImage) bytes)")
            }
            efi = file.source.layout
            firstDiscPaths.append(path)
        } else if options.uefi {
            let image = try Self.efiImage(tree)
            efi = image.layout
            firstDiscPaths.append(image.folder)
        }

        if options.hybrid {
            if let path = options.hybridMBRCode {
                guard loader != nil else { throw .badOptions("hybridMBRCode \(path) needs a biosLoader for it to start") }
                let file = try Self.file(tree, path, role: "hybrid MBR code")
                guard file.size >= 432, file.size <= 32 << 10 else {
                    throw .bootFileUnusable(path: path, problem: "\(file.size) bytes is not MBR boot code (432 to 512 bytes are used)")
                }
                mbrCode = Array(try Self.read(file, path).prefix(432))
                firstDiscPaths.append(path)
            } else if efi == nil {
                throw .badOptions("hybrid needs hybridMBRCode (BIOS boot from a stick) or uefi (UEFI boot from a stick)")
            }
        } else if let path = options.hybridMBRCode {
            throw .badOptions("hybridMBRCode \(path) is only used with hybrid")
        }
    }

    private static func file(_ tree: MediaTree, _ path: String, role: String) throws(ISOImageError) -> MediaFile {
        guard case .file(let file)? = tree.node(at: path) else { throw .bootFileMissing(path: path, role: role) }
        return file
    }

    private static func read(_ file: MediaFile, _ path: String) throws(ISOImageError) -> [UInt8] {
        do {
            return try file.source.layout.read(at: 0, count: Int(file.size), blobs: BlobReader(capacity: 1))
        } catch {
            throw .bootFileUnreadable(path: path, reason: "\(error)")
        }
    }

    /// A FAT image holding the tree's `EFI/` folder (as `EFI/…` at its root):
    /// the smallest FAT that fits (FAT12/16), a region of the ISO's layout.
    /// When it would be larger than an El Torito entry can count (32 MiB − 512),
    /// it is an error: firmware loads that count, and a truncated ESP would not boot.
    private static func efiImage(_ tree: MediaTree) throws(ISOImageError) -> (layout: Layout, folder: String) {
        guard let node = tree.root.children.first(where: { NameRules.caseFolded($0.name) == "EFI" }),
              case .directory(let efiFolder) = node else { throw .noEFIFolder }
        var builder = MediaTreeBuilder()
        var count = 0
        func add(_ directory: MediaDirectory, _ path: String) throws(MediaTreeError) {
            try builder.addFolder(path, modified: directory.modified)
            for child in directory.children {
                switch child {
                case .file(let file):
                    try builder.add(file, in: path)
                    count += 1
                case .directory(let sub):
                    try add(sub, path + "/" + sub.name)
                }
            }
        }
        do { try add(efiFolder, efiFolder.name) } catch {
            throw .bootFileUnusable(path: efiFolder.name + "/", problem: error.description)
        }
        guard count > 0 else { throw .noEFIFolder }
        let subtree = builder.build(label: tree.label, defaultTime: tree.root.modified)
        let layout: Layout
        do {
            layout = try FATImage.volume(subtree, options: FATVolumeOptions(label: tree.label, serial: tree.serialNumber))
        } catch {
            throw .efiImage(error)
        }
        guard layout.size <= maximumEFIImage else { throw .efiImageTooLarge(bytes: layout.size, limit: maximumEFIImage) }
        return (layout, efiFolder.name)
    }
}
