import SystemIO
import FATImage
import ISOImage
import MediaTree
import RegionMap
import WIMImage

/// The image formats mediafs produces from one media tree.
public enum ImageFormat: String, Sendable, CaseIterable {
    case usb
    case iso
    /// One uncompressed WIM of the tree (prestaged media; any media can be exported as one).
    case wim
}

/// One virtual image: the USB disk, or one disc of an ISO set. The FUSE
/// `--images` view serves `layout` under `name`; the exporter walks it.
public struct MediaImage: Sendable {
    public let name: String
    public let format: ImageFormat
    public let layout: Layout
    /// 1-based disc number and count for ISO sets; nil for USB and WIM.
    public let disc: Int?
    public let discCount: Int?
    /// Paths of the tree's files on this disc (nil for USB: all of them).
    public let paths: [String]?
}

extension MediaBuild {
    /// The image(s) of one format, planned completely before any byte is served.
    /// The spec's target decides the sizes (USB disk size, disc capacity); the
    /// other format is still available, at its automatic size, for `mount --images`.
    public func images(format: ImageFormat, sha1Progress: SHA1Pass.Progress? = nil) throws -> [MediaImage] {
        if spec.kind == .prestaged && format != .wim {
            throw spec.error("kind", "prestaged media is one WIM file to apply to a disk; write it with --format wim")
        }
        switch format {
        case .wim:
            return [try wimImage(progress: sha1Progress).image]
        case .usb:
            let layout = try FATImage.disk(tree, diskSize: spec.target.usbSize, label: tree.label)
            return [MediaImage(name: imageBaseName + ".img", format: .usb, layout: layout, disc: nil, discCount: nil, paths: nil)]
        case .iso:
            let discs = try ISOImage.discs(tree, options: isoOptions)
            return discs.map { disc in
                MediaImage(name: ISOImage.fileName(base: imageBaseName, disc: disc.number, count: disc.count),
                           format: .iso, layout: disc.layout, disc: disc.number, discCount: disc.count, paths: disc.paths)
            }
        }
    }

    /// The images `mount --images` shows: prestaged media is its WIM alone; other
    /// kinds are the USB disk and every ISO disc (their WIM, which `export --format
    /// wim` writes, is not listed: it would hash every blob at each mount).
    public func images() throws -> [MediaImage] {
        if spec.kind == .prestaged { return try images(format: .wim) }
        return try images(format: .usb) + images(format: .iso)
    }

    /// The WIM of the tree, and how its SHA-1s were found (cache, computed).
    public func wimImage(progress: SHA1Pass.Progress? = nil) throws -> (image: MediaImage, report: SHA1Pass.Report) {
        let (sha1s, report) = try SHA1Pass.run(tree, cache: sha1Cache, progress: progress)
        let p = spec.mediaProperties
        let layout = try WIMImage.layout(tree, sha1: { sha1s[$0] },
                                         properties: WIMProperties(name: tree.label, createdBy: p.createdBy,
                                                                   version: p.version, comment: p.comment))
        let image = MediaImage(name: imageBaseName + ".wim", format: .wim, layout: layout, disc: nil, discCount: nil, paths: nil)
        return (image, report)
    }

    /// How the ISO is made from the spec: El Torito BIOS entry from the boot
    /// image's loader (when the boot image has one), UEFI entry from `EFI/` (or its
    /// `EFI/Microsoft/Boot/efisys.bin` when there is one),
    /// hybrid MBR/GPT so the ISO also boots from a stick.
    public var isoOptions: ISOOptions {
        let loader = spec.boot.biosLoader
        let hasLoader: Bool
        if case .file = tree.node(at: loader) { hasLoader = true } else { hasLoader = false }
        let hasEFI: Bool
        if case .directory = tree.node(at: "EFI") { hasEFI = true } else { hasEFI = false }
        // Windows PE's own UEFI El Torito image when the media has one (as MakeWinPEMedia/oscdimg use it).
        let efisys = WindowsPEMedia.uefiElToritoImage
        var hasEFISys = false
        if case .file = tree.node(at: efisys) { hasEFISys = true }
        return ISOOptions(label: tree.label,
                          biosLoader: hasLoader ? loader : nil,
                          bootInfoTable: spec.boot.bootInfoTable,
                          uefi: hasEFI,
                          uefiImage: hasEFISys ? efisys : nil,
                          hybridMBRCode: spec.boot.hybridMBR,
                          hybrid: true,
                          discCapacity: spec.target.isoMediaSize)
    }

    /// The path for `image` when the user asked for `base` (`-o media.iso`):
    /// `base` itself for one image, else the set's sequence-numbered name.
    public func outputPath(for image: MediaImage, base: String) -> String {
        guard let disc = image.disc, let count = image.discCount, count > 1 else { return base }
        return ISOImage.fileName(base: base, disc: disc, count: count)
    }

    /// Image file names: the label, with characters awkward in a shell turned
    /// into `-` ("Configuration Manager" → "Configuration-Manager").
    public var imageBaseName: String {
        let cleaned = String(tree.label.map { c -> Character in
            (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "-"
        })
        return cleaned.isEmpty ? "media" : cleaned
    }

    /// Identity of the media's content: equal for two builds that give the same bytes.
    public var identity: String {
        Hex.lower(tree.fingerprint)
    }
}
