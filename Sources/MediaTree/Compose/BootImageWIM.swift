import ContentLibrary
import MediaSpec
import RegionMap
import Synchronization
import SystemIO
import WIMArchive

/// A boot image package as a distribution point holds it: one Windows PE WIM
/// (`boot.<PackageID>.wim`). On the media the WIM itself becomes
/// `sources/boot.wim` (a library blob, never copied), and the boot files beside
/// it are read out of the WIM's `Windows/Boot/` folder, per `table` — the one
/// place that says which file comes from where (the README repeats it).
enum BootImageWIM {
    /// Where the package's WIM goes on the media.
    static let mediaPath = "sources/boot.wim"

    /// One boot file of Windows PE media (laid out as MakeWinPEMedia lays it out)
    /// and where a Windows image keeps it.
    struct BootFile: Sendable {
        /// Path on the media.
        let mediaPath: String
        /// Path inside the WIM's image, found without regard to case.
        let imagePath: String
        /// What cannot boot without it (for the warning when the WIM lacks it).
        let without: String
    }

    /// Where the WIM keeps the UEFI boot manager: on the media it is the removable-media
    /// loader `EFI/Boot/boot<arch>.efi`, and its PE machine is checked against `<ARCH>`.
    static let efiLoaderImagePath = "Windows/Boot/EFI/bootmgfw.efi"

    /// The mapping (mediafs's choice: the media-data reference says where a Windows
    /// image carries these files, not where Configuration Manager takes them from).
    static func table(architecture: Architecture) -> [BootFile] {
        [
            BootFile(mediaPath: "bootmgr", imagePath: "Windows/Boot/PCAT/bootmgr",
                     without: "no BIOS boot (etfsboot.com starts bootmgr)"),
            BootFile(mediaPath: "bootmgr.efi", imagePath: "Windows/Boot/EFI/bootmgr.efi",
                     without: "no UEFI boot from the ISO's own boot manager"),
            BootFile(mediaPath: "boot/BCD", imagePath: "Windows/Boot/DVD/PCAT/BCD",
                     without: "no BIOS boot (bootmgr reads it)"),
            BootFile(mediaPath: "boot/boot.sdi", imagePath: "Windows/Boot/DVD/PCAT/boot.sdi",
                     without: "Windows PE cannot start from its RAM disk"),
            BootFile(mediaPath: "boot/etfsboot.com", imagePath: "Windows/Boot/DVD/PCAT/etfsboot.com",
                     without: "no BIOS boot from the ISO"),
            BootFile(mediaPath: "EFI/Boot/" + efiLoaderName(architecture), imagePath: efiLoaderImagePath,
                     without: "no UEFI boot"),
            BootFile(mediaPath: "EFI/Microsoft/Boot/BCD", imagePath: "Windows/Boot/DVD/EFI/BCD",
                     without: "no UEFI boot (bootmgfw.efi reads it)"),
            BootFile(mediaPath: WindowsPEMedia.uefiElToritoImage, imagePath: "Windows/Boot/DVD/EFI/en-US/efisys.bin",
                     without: "the ISO's UEFI El Torito image is made from EFI/ instead"),
        ]
    }

    /// The UEFI removable-media loader's name for an architecture.
    static func efiLoaderName(_ architecture: Architecture) -> String {
        switch architecture {
        case .x86: return "bootia32.efi"
        case .x64: return "bootx64.efi"
        case .arm64: return "bootaa64.efi"
        }
    }

    /// `<ARCH>` of a WIM image's XML: Windows' PROCESSOR_ARCHITECTURE_* values.
    static func architecture(wimArch code: Int) -> Architecture? {
        switch code {
        case 0: return .x86
        case 9: return .x64
        case 12: return .arm64
        default: return nil
        }
    }

    /// The package's WIM: `boot.<PackageID>.wim` at its root (any case), else the one
    /// `*.wim` at its root; nil when there is none (a folder-style boot image).
    /// Several `*.wim` at the root and none named for the package: ambiguous, an error.
    static func wimFile(of package: PackageContent) -> Result<LibraryFile?, AmbiguousWIM> {
        let atRoot = package.files.filter { !$0.path.contains("/") && $0.path.lowercased().hasSuffix(".wim") }
        let named = "boot.\(package.packageID).wim".lowercased()
        if let file = atRoot.first(where: { $0.path.lowercased() == named }) { return .success(file) }
        if atRoot.count > 1 { return .failure(AmbiguousWIM(names: atRoot.map(\.path))) }
        return .success(atRoot.first)
    }

    struct AmbiguousWIM: Error { let names: [String] }

    // MARK: reading the WIM (cached)

    /// A boot file found in the WIM.
    struct Found: Sendable {
        let bytes: SharedBytes
        let modified: Timestamp
        let attributes: FileAttributes
    }

    /// What mediafs needs from one image of a WIM.
    struct Contents: Sendable {
        /// `<ARCH>` of the image's XML, when it has one.
        let architectureCode: Int?
        /// By the table's image path; files the image lacks are absent.
        let files: [String: Found]
    }

    enum ReadError: Error {
        case wim(WIMArchiveError)
        case noSuchImage(index: Int, count: Int)
        case noWindowsBoot(image: Int)
    }

    /// Boot files are read once per WIM content and image: a live mount composes a tree
    /// for every snapshot, and the bytes of a library blob never change under its hash.
    private static let cache = Mutex<[String: Contents]>([:])
    /// Enough for the few boot images one process uses; beyond it the cache starts over.
    private static let cacheLimit = 8

    /// The boot files of image `index` of the package's WIM `wim` (read where it lies in the library).
    /// `library`: the content library's root; the WIM is opened beneath it (no link leads out).
    static func contents(of wim: LibraryFile, image index: Int, library: String) throws(ReadError) -> Contents {
        let key = "\(wim.hash) \(wim.size) \(index)"
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let contents: Contents
        do {
            // wimlib opens by name: it gets the descriptor opened beneath the library, by
            // its /proc name, so a blob replaced by a link out of the library is refused here.
            let blob: OpenFile
            do {
                blob = try OpenFile(path: wim.blobPath, beneath: library)
            } catch {
                throw WIMArchiveError(file: wim.path, operation: "open", code: 0, reason: "\(error)")
            }
            let archive = try withExtendedLifetime(blob) { () throws(WIMArchiveError) -> WIMArchive in
                try WIMArchive(path: "/proc/self/fd/\(blob.fd)", name: wim.path)
            }
            let count = archive.imageCount
            guard index >= 1, index <= count else { throw ReadError.noSuchImage(index: index, count: count) }
            guard let entries = try archive.entries(under: "Windows/Boot", image: index, recursive: true) else {
                throw ReadError.noWindowsBoot(image: index)
            }
            // The table's files, matched without regard to case; regular files only (a
            // reparse point would be a link, never followed).
            let notAFile = UInt32(0x10 | 0x400)
            var exact: [(String, WIMEntry)] = []
            for imagePath in Set(table(architecture: .x64).map(\.imagePath)).sorted() {
                if let entry = entries.first(where: { $0.attributes & notAFile == 0 && WIMArchive.sameName($0.path, imagePath) }) {
                    exact.append((imagePath, entry))
                }
            }
            let bytes = try archive.read(exact.map(\.1.path), image: index)
            var files: [String: Found] = [:]
            for (imagePath, entry) in exact {
                guard let data = bytes[entry.path] else { continue }
                files[imagePath] = Found(bytes: SharedBytes(data),
                                         modified: Timestamp(seconds: entry.lastWriteSeconds, nanoseconds: entry.lastWriteNanoseconds),
                                         attributes: FileAttributes(rawValue: entry.attributes).intersection([.readOnly, .hidden, .system, .archive]))
            }
            contents = Contents(architectureCode: try archive.architectureCode(image: index), files: files)
        } catch let error as ReadError {
            throw error
        } catch let error as WIMArchiveError {
            throw .wim(error)
        } catch {
            throw .wim(WIMArchiveError(file: wim.path, operation: "read", code: 0, reason: "\(error)"))
        }
        cache.withLock {
            if $0.count >= cacheLimit { $0.removeAll() }
            $0[key] = contents
        }
        return contents
    }
}

/// Paths of Windows PE media that the image producers look for.
public enum WindowsPEMedia {
    /// Windows PE's UEFI El Torito image: when the media has it, the ISO's UEFI entry is it
    /// (as oscdimg makes Windows ISOs), not a FAT image made from `EFI/`.
    public static let uefiElToritoImage = "EFI/Microsoft/Boot/efisys.bin"
}

extension MediaComposer {
    /// A WIM-style boot image on the media: its WIM as `sources/boot.wim` and the boot
    /// files read out of it.
    struct BootWIMPlacement {
        /// The package file that is the WIM (not placed at its own path).
        let wim: LibraryFile
        /// Media path → file, the WIM included.
        let files: [(path: String, file: MediaFile)]

        var paths: [String] { files.map(\.path) }
    }

    /// The boot image's WIM placement, or nil for a folder-style boot image. Checks the
    /// architecture: `<ARCH>` of the image's XML, cross-checked with the PE machine of
    /// its UEFI boot manager, against the target (the wizard's rule).
    func placeBootWIM(_ boot: PackageContent, warnings: inout [String]) throws -> BootWIMPlacement? {
        let wim: LibraryFile
        switch BootImageWIM.wimFile(of: boot) {
        case .success(.none): return nil
        case .success(let file?): wim = file
        case .failure(let ambiguous):
            throw spec.error("boot.image", "\(boot.contentID) holds several WIM files at its root (\(ambiguous.names.joined(separator: ", "))) and none named boot.\(boot.packageID).wim: which one is the boot image is unclear")
        }
        let index = spec.boot.imageIndex
        let contents: BootImageWIM.Contents
        do {
            contents = try BootImageWIM.contents(of: wim, image: index, library: snapshot.root)
        } catch {
            switch error {
            case .wim(let e):
                throw spec.error("boot.image", "the boot image \(boot.contentID)'s \(wim.path) cannot be read (\(e.operation): \(e.reason)); library blob \(wim.blobPath)")
            case .noSuchImage(let i, let count):
                throw spec.error("boot.image-index", "the boot image \(boot.contentID)'s \(wim.path) has \(count) image\(count == 1 ? "" : "s"), no image \(i)")
            case .noWindowsBoot(let i):
                throw spec.error("boot.image", "the boot image \(boot.contentID)'s \(wim.path) has no Windows/Boot folder in image \(i): it is not a Windows PE image, and its boot files cannot be read")
            }
        }

        // The architecture: <ARCH>, and the PE machine of bootmgfw.efi; they must agree.
        let origin = "the boot image \(boot.contentID)'s \(wim.path) (image \(index))"
        var xmlArch: Architecture?
        if let code = contents.architectureCode {
            guard let arch = BootImageWIM.architecture(wimArch: code) else {
                throw spec.error("boot.image", "\(origin) has <ARCH>\(code)</ARCH>, which is not x86 (0), x64 (9) or arm64 (12)")
            }
            xmlArch = arch
        }
        var peArch: Architecture?
        if let loader = contents.files[BootImageWIM.efiLoaderImagePath] {
            let machine: UInt16
            do { machine = try PEMachine.read(bytes: loader.bytes.bytes) } catch {
                throw spec.error("boot.image", "\(origin): \(BootImageWIM.efiLoaderImagePath) is not an EFI executable: \(error)")
            }
            guard let arch = Architecture(peMachine: machine) else {
                throw spec.error("boot.image", "\(origin): \(BootImageWIM.efiLoaderImagePath) is for PE machine \(hex4(machine)), which is not x86 (0x014C), x64 (0x8664) or arm64 (0xAA64)")
            }
            peArch = arch
        }
        if let xmlArch, let peArch, xmlArch != peArch {
            throw spec.error("boot.image", "\(origin) says <ARCH> \(xmlArch.rawValue) in its XML, but its \(BootImageWIM.efiLoaderImagePath) is \(peArch.rawValue) (PE machine \(hex4(peArch.peMachine)))")
        }
        let target = spec.boot.architecture
        let architecture: Architecture
        if let found = xmlArch ?? peArch {
            guard target.runs(found) else {
                let how = xmlArch != nil ? "<ARCH>\(contents.architectureCode ?? 0)</ARCH> in its XML" : "its \(BootImageWIM.efiLoaderImagePath) is PE machine \(hex4(found.peMachine))"
                throw spec.error("boot.architecture", "\(origin) is \(found.rawValue) (\(how)), and an \(target.rawValue) computer cannot run it (an x64 computer runs x86 and x64 boot images, an x86 one only x86)")
            }
            architecture = found
        } else {
            warnings.append(spec.warning("boot.image", "\(origin) has no <ARCH> and no \(BootImageWIM.efiLoaderImagePath): its architecture cannot be checked").description)
            architecture = target
        }

        // The files: the WIM, then each boot file the image has. A file the package
        // itself holds at the same path (any case) is the package's.
        let packagePaths = Set(boot.files.filter { $0.path != wim.path }.map { $0.path.uppercased() })
        var files: [(path: String, file: MediaFile)] = []
        let wimName = splitPath(BootImageWIM.mediaPath).name
        files.append((BootImageWIM.mediaPath,
                      MediaFile(name: wimName, source: .blob(Blob(path: wim.blobPath, size: wim.size, sha256: wim.hash, library: snapshot.root)),
                                modified: Timestamp(fileTime: wim.timeModified), attributes: FileAttributes(rawValue: wim.attributes),
                                package: boot.packageID)))
        for entry in BootImageWIM.table(architecture: architecture) {
            if packagePaths.contains(entry.mediaPath.uppercased()) {
                warnings.append(spec.warning("boot.image", "\(boot.contentID) holds \(entry.mediaPath) beside its WIM: that file is used, not \(entry.imagePath) of \(wim.path)").description)
                continue
            }
            guard let found = contents.files[entry.imagePath] else {
                warnings.append(spec.warning("boot.image", "\(origin) has no \(entry.imagePath), so the media has no \(entry.mediaPath): \(entry.without)").description)
                continue
            }
            let name = splitPath(entry.mediaPath).name
            files.append((entry.mediaPath, MediaFile(name: name, source: .bytes(found.bytes), modified: found.modified,
                                                     attributes: found.attributes, package: boot.packageID)))
        }
        return BootWIMPlacement(wim: wim, files: files)
    }
}
