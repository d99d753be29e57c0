import SystemIO
import FATImage
import ISOImage
import MediaTree
import RegionMap

/// The image formats mediafs produces from one media tree.
public enum ImageFormat: String, Sendable, CaseIterable {
    case usb
    case iso
}

/// One virtual image: the USB disk, or one disc of an ISO set. The FUSE
/// `--images` view serves `layout` under `name`; the exporter walks it.
public struct MediaImage: Sendable {
    public let name: String
    public let format: ImageFormat
    public let layout: Layout
    /// 1-based disc number and count for ISO sets; nil for USB.
    public let disc: Int?
    public let discCount: Int?
    /// Paths of the tree's files on this disc (nil for USB: all of them).
    public let paths: [String]?
}

extension MediaBuild {
    /// The image(s) of one format, planned completely before any byte is served.
    /// The spec's target decides the sizes (USB disk size, disc capacity); the
    /// other format is still available, at its automatic size, for `mount --images`.
    public func images(format: ImageFormat) throws -> [MediaImage] {
        switch format {
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

    /// Every image the media can be written as: the USB disk and every ISO disc.
    public func images() throws -> [MediaImage] {
        try images(format: .usb) + images(format: .iso)
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
