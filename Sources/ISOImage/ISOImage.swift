import FATImage
import MediaTree
import RegionMap

/// What the CD/DVD image looks like.
public struct ISOOptions: Sendable {
    /// The media label: the primary volume ID in d-characters (upper-case, other
    /// characters `_`, at most 32), the Joliet volume ID in full (at most 16 characters).
    public var label: String
    /// Path in the tree of the BIOS no-emulation loader (`boot/etfsboot.com`); nil → no BIOS entry.
    public var biosLoader: String?
    /// Patch a boot info table into the loader (GRUB's El Torito image needs it; etfsboot must not get one).
    public var bootInfoTable: Bool
    /// El Torito sector count (512-byte sectors) of the BIOS entry; 4 for GRUB and etfsboot.
    public var loadSectors: UInt16
    /// A UEFI (platform 0xEF) entry whose image is a FAT image made from the tree's `EFI/` folder.
    public var uefi: Bool
    /// Path in the tree of a ready UEFI El Torito image (Windows' `efisys.bin`), used for
    /// the UEFI entry instead of the FAT image made from `EFI/`; needs `uefi`.
    public var uefiImage: String?
    /// Path in the tree of MBR boot code (GRUB's `boot_hybrid.img`) for BIOS boot from a stick; needs `hybrid`.
    public var hybridMBRCode: String?
    /// An MBR (and, with `uefi`, a GPT) in the system area, so the ISO written to a stick boots.
    public var hybrid: Bool
    /// Bytes per disc (see `ISOImage.capacities`); nil → one disc, however large.
    public var discCapacity: UInt64?
    /// Files or folders (paths in the tree, compared ignoring case) that must be on the
    /// first disc of a set. The BIOS loader, the MBR code and `EFI/` are added to these.
    public var firstDiscPaths: [String]

    /// What Configuration Manager media need on the first disc: the boot manager,
    /// its folders, the boot image, and the media's own settings.
    public static let defaultFirstDiscPaths = ["bootmgr", "bootmgr.efi", "boot", "EFI", "sources/boot.wim", "SMS/data"]

    public init(label: String, biosLoader: String? = nil, bootInfoTable: Bool = false, loadSectors: UInt16 = 4,
                uefi: Bool = false, uefiImage: String? = nil, hybridMBRCode: String? = nil, hybrid: Bool = false,
                discCapacity: UInt64? = nil, firstDiscPaths: [String] = ISOOptions.defaultFirstDiscPaths) {
        self.label = label
        self.biosLoader = biosLoader
        self.bootInfoTable = bootInfoTable
        self.loadSectors = loadSectors
        self.uefi = uefi
        self.uefiImage = uefiImage
        self.hybridMBRCode = hybridMBRCode
        self.hybrid = hybrid
        self.discCapacity = discCapacity
        self.firstDiscPaths = firstDiscPaths
    }
}

/// One ISO image of a disc set.
public struct ISODisc: Sendable {
    /// 1-based.
    public let number: Int
    public let count: Int
    public let layout: Layout
    /// The tree paths of the files on this disc, in the tree's order.
    public let paths: [String]
}

/// ISO 9660 images (ECMA-119 level 3, Joliet, El Torito, hybrid MBR/GPT) of a media tree, as region maps.
public enum ISOImage {
    /// The media as one image, or as a set of discs of `options.discCapacity` bytes each.
    /// Each disc is a complete ISO 9660 volume of its own (volume set size 1);
    /// only the first is bootable. Nothing is read but the loader and MBR code
    /// (to patch them): every file is a blob region, served when read.
    public static func discs(_ tree: MediaTree, options: ISOOptions) throws -> [ISODisc] {
        try checkNames(tree)
        let boot = try BootSetup(tree: tree, options: options)
        let seed = tree.fingerprint
        let labelled = MediaTree(root: tree.root, label: options.label)

        guard let capacity = options.discCapacity else {
            let content = DiscContent(tree: tree, include: { _ in true }, emptyFolders: true)
            let layout = try DiscWriter.layout(tree: labelled, content: content, boot: boot, seed: seed)
            return [ISODisc(number: 1, count: 1, layout: layout, paths: content.files.map(\.path))]
        }

        let assignment = try DiscSet.assign(tree, boot: boot, capacity: capacity)
        var discs: [ISODisc] = []
        for (index, paths) in assignment.enumerated() {
            let content = DiscContent(tree: tree, include: { paths.contains($0) }, emptyFolders: index == 0)
            let layout = try DiscWriter.layout(tree: labelled, content: content, boot: index == 0 ? boot : nil, seed: seed)
            guard layout.size <= capacity else {
                throw ISOImageError.discOverfilled(disc: index + 1, size: layout.size, capacity: capacity)
            }
            discs.append(ISODisc(number: index + 1, count: assignment.count, layout: layout, paths: content.files.map(\.path)))
        }
        return discs
    }

    /// The file name of disc `disc` of `count`: `BASE.iso` when there is one
    /// disc, else `BASE-N.iso` with N from 1, zero-padded to the width of the
    /// count so the names sort (`media-1.iso … media-3.iso`, `media-01.iso …
    /// media-12.iso`). A `.iso` already ending `base` is not repeated.
    public static func fileName(base: String, disc: Int, count: Int) -> String {
        var stem = base
        if stem.lowercased().hasSuffix(".iso") { stem.removeLast(4) }
        guard count > 1 else { return stem + ".iso" }
        let width = String(count).count
        let number = String(disc)
        return stem + "-" + String(repeating: "0", count: max(0, width - number.count)) + number + ".iso"
    }

    /// Bytes per disc, in whole 2 KiB sectors, as burning tools count them:
    /// CD 74 min 333,000 sectors; CD 80 min 360,000; DVD±R single layer
    /// 2,295,104; DVD±R dual layer 4,173,824.
    public static let capacities: [String: UInt64] = [
        "cd650": 333_000 * 2048,       //   681,984,000 bytes ("650 MB")
        "cd700": 360_000 * 2048,       //   737,280,000 bytes ("700 MB")
        "dvd": 2_295_104 * 2048,       // 4,700,372,992 bytes ("4.7 GB")
        "dvd-dl": 4_173_824 * 2048,    // 8,547,991,552 bytes ("8.5 GB")
    ]
}
