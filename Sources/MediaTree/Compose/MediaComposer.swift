import ContentLibrary
import MediaData
import MediaSpec
import RegionMap
import SystemIO

/// Spec + library snapshot → the media tree: the boot image's files at their own
/// paths, packages under `SMS/PKG/<PackageID>/`, and the files mediafs
/// synthesizes (MediaLabel.txt, SMS/data/TsmBootstrap.ini, SMS/data/Variables.dat,
/// SMS/data/Policy.xml, autorun.inf). Deterministic: no clock, no randomness;
/// synthesized files are timed by SOURCE_DATE_EPOCH, else the newest content time.
public struct MediaComposer {
    public let spec: MediaSpec
    public let snapshot: LibrarySnapshot
    public let secrets: ResolvedSecrets
    /// The checked certificate (`SpecChecks.certificate`), nil for media without one.
    public let certificate: CertificateFacts?
    /// `SOURCE_DATE_EPOCH` when set: seconds since 1970 for every synthesized file.
    public let sourceDateEpoch: Int64?
    /// The site's certificates (`SpecChecks.siteCertificates`).
    public let siteCertificates: SiteCertificates

    public init(spec: MediaSpec, snapshot: LibrarySnapshot, secrets: ResolvedSecrets = ResolvedSecrets(),
                certificate: CertificateFacts? = nil, sourceDateEpoch: Int64? = nil,
                siteCertificates: SiteCertificates = SiteCertificates()) {
        self.spec = spec
        self.snapshot = snapshot
        self.secrets = secrets
        self.certificate = certificate
        self.sourceDateEpoch = sourceDateEpoch
        self.siteCertificates = siteCertificates
    }

    /// Why a package is on the media (Policy.xml lists it).
    public enum PackageRole: String, Sendable {
        case bootImage = "boot-image", taskSequence = "task-sequence", referenced = "referenced"
        case extra = "extra", prestart = "prestart"
        /// Prestaged media: the OS image, packages, driver packages, applications.
        case osImage = "os-image", package = "package", driverPackage = "driver-package", application = "application"
    }

    /// Where prestaged media puts a package: the task sequence's content cache on
    /// the disk, where the client looks for prestaged content before downloading
    /// (`_SMSTaskSequence\Packages\<PackageID>`). The one place that says so.
    public static func prestagedFolder(_ packageID: String) -> String {
        "_SMSTaskSequence/Packages/" + packageID
    }

    public struct PlacedPackage: Sendable {
        public let content: PackageContent
        public let role: PackageRole
        /// Where its files are on the media ("" for the boot image: the root).
        public let folder: String
    }

    public struct Result: Sendable {
        public let tree: MediaTree
        public let mediaGuid: String
        public let packages: [PlacedPackage]
        public let variables: MediaVariables
        public let warnings: [String]
        /// The time of every synthesized file.
        public let synthesizedTime: Timestamp
    }

    public func compose() throws -> Result {
        var warnings: [String] = []
        if spec.password != nil && secrets.password == nil {
            // PasswordRequired would be false on a media the spec protects: refuse instead.
            throw spec.error("password", "the password was not read (resolve it with SpecChecks.resolveSecrets first)")
        }

        // 1. The packages, each checked against the library, in a fixed order.
        let boot = try package(spec.boot.image, field: "boot.image")
        // A boot image as a distribution point holds it (one WIM) or as a folder of boot files.
        let bootWIM = try placeBootWIM(boot, warnings: &warnings)
        if bootWIM == nil { try checkArchitecture(of: boot, warnings: &warnings) }
        if spec.target.kind == .iso {
            let wimPaths = bootWIM?.paths ?? []
            // A WIM without etfsboot.com was warned about: the ISO then has no BIOS entry.
            let warnedMissing = bootWIM != nil && spec.boot.biosLoader == BootSettings.defaultBIOSLoader
            if !warnedMissing { try checkPath(spec.boot.biosLoader, in: boot, also: wimPaths, field: "boot.bios-loader") }
            if let mbr = spec.boot.hybridMBR { try checkPath(mbr, in: boot, also: wimPaths, field: "boot.hybrid-mbr") }
        } else if spec.boot.hybridMBR != nil {
            warnings.append(spec.warning("boot.hybrid-mbr", "is used only for ISO targets; ignored for USB").description)
        }

        var placed: [PlacedPackage] = [PlacedPackage(content: boot, role: .bootImage, folder: "")]
        var byID: [String: String] = [boot.packageID: "boot.image"]
        func place(_ content: PackageContent, _ role: PackageRole, field: String, folder: String? = nil) throws {
            if let earlier = byID[content.packageID] {
                if let other = placed.first(where: { $0.content.packageID == content.packageID }), other.content.version != content.version {
                    throw spec.error(field, "\(content.contentID) conflicts with \(other.content.contentID) named by \(earlier): one package, two versions")
                }
                return
            }
            byID[content.packageID] = field
            placed.append(PlacedPackage(content: content, role: role, folder: folder ?? "SMS/PKG/" + content.packageID))
        }

        var taskSequence: PackageContent?
        if spec.kind == .standalone, let reference = spec.taskSequence {
            let ts = try package(reference, field: "task-sequence")
            taskSequence = ts
            try place(ts, .taskSequence, field: "task-sequence")
            for (ref, file, line) in try references(of: ts) where ref.packageID != ts.packageID && ref.packageID != boot.packageID {
                let content = try package(ref, field: "task-sequence",
                                          context: "\(ts.packageID)'s \(file) (line \(line)) references \(ref)")
                try place(content, .referenced, field: "task-sequence")
            }
            for (index, ref) in spec.extraPackages.enumerated() {
                try place(try package(ref, field: "extra-packages[\(index)]"), .extra, field: "extra-packages[\(index)]")
            }
        }
        var osImage: PackageContent?
        if spec.kind == .prestaged, let reference = spec.osImage {
            let os = try package(reference.package, field: "os-image.package")
            try checkImageIndex(reference.index, in: os)
            osImage = os
            try place(os, .osImage, field: "os-image.package", folder: Self.prestagedFolder(os.packageID))
            let lists: [(String, [PackageReference], PackageRole)] = [
                ("packages", spec.prestagedPackages.packages, .package),
                ("driver-packages", spec.prestagedPackages.driverPackages, .driverPackage),
                ("applications", spec.prestagedPackages.applications, .application),
            ]
            for (key, references, role) in lists {
                for (index, ref) in references.enumerated() {
                    let field = "\(key)[\(index)]"
                    let content = try package(ref, field: field)
                    if content.packageID == boot.packageID {
                        throw spec.error(field, "\(content.packageID) is the boot image, which the media carries already")
                    }
                    try place(content, role, field: field, folder: Self.prestagedFolder(content.packageID))
                }
            }
        }
        if let ref = spec.prestart?.package {
            let content = try package(ref, field: "prestart.package")
            if content.packageID != boot.packageID { try place(content, .prestart, field: "prestart.package") }
        }

        // 2. The media GUID and the time of synthesized files, from the inputs alone.
        let mediaGuid = DerivedGuid.make([Array("mediafs media guid v1".utf8), spec.sourceBytes]
                                         + placed.map { Array("\($0.role.rawValue) \($0.content.contentID)".utf8) })
        let newest = placed.lazy.flatMap(\.content.files).map(\.timeModified).max()
        let synthesizedTime = sourceDateEpoch.map { Timestamp(seconds: $0) }
            ?? newest.map { Timestamp(fileTime: $0) } ?? Timestamp(seconds: 0)

        // 3. The tree: package files, then synthesized files (which win over a package file on the same path).
        var builder = MediaTreeBuilder()
        for p in placed {
            do {
                try add(p, to: &builder, skipping: p.role == .bootImage ? bootWIM?.wim.path : nil)
            } catch {
                throw ComposeError.tree(error, package: p.content.contentID)
            }
        }
        for (path, file) in bootWIM?.files ?? [] {
            do {
                try builder.add(file, in: splitPath(path).folder)
            } catch {
                throw ComposeError.tree(error, package: boot.contentID)
            }
        }

        // 4. The SMS/data files: the media certificate, the variables, the envelope.
        let mediaGuidVariable = "{\(mediaGuid)}"
        let pfx = try MediaCertificateFile.make(spec: spec, certificate: certificate, secrets: secrets, mediaGuidVariable: mediaGuidVariable)
        let variables = MediaVariablesBuilder(spec: spec, mediaGuidVariable: mediaGuidVariable, boot: boot, taskSequence: taskSequence,
                                              certificate: certificate, pfx: pfx, site: siteCertificates).variables
        let cipher: MediaDataCipher = spec.mediaData.encryption == .aes256 ? .aes256 : .aes128
        let variablesFile = try MediaDataFiles.variables(variables, password: secrets.password, cipher: cipher)
        var synthesized: [(String, [UInt8])] = [
            ("MediaLabel.txt", SynthesizedFiles.mediaLabel(spec.label)),
            ("SMS/data/TsmBootstrap.ini", SynthesizedFiles.tsmBootstrap(spec: spec, mediaGuid: mediaGuid, boot: boot,
                                                                        taskSequence: taskSequence, osImage: osImage,
                                                                        passwordRequired: secrets.password != nil)),
            ("SMS/data/Variables.dat", variablesFile),
        ]
        if spec.autorun {
            let loader = SynthesizedFiles.autorunProgram(spec.boot.architecture)
            if !boot.files.contains(where: { $0.path == loader }) {
                warnings.append(spec.warning("autorun", "the boot image \(boot.contentID) has no \(loader), which autorun.inf starts").description)
            }
            synthesized.append(("autorun.inf", SynthesizedFiles.autorun(label: spec.label, architecture: spec.boot.architecture)))
        }
        if spec.kind == .standalone {
            let policy = try MediaDataFiles.policy(SynthesizedFiles.policy(mediaGuid: mediaGuid, packages: placed),
                                                   password: secrets.password, mediaGuidVariable: mediaGuidVariable, cipher: cipher)
            synthesized.append(("SMS/data/Policy.xml", policy))
        }
        // Only the boot image's files sit at the root, where synthesized files go (others are under SMS/PKG/<ID>/).
        let synthesizedPaths = Set(synthesized.map(\.0))
        for f in boot.files where synthesizedPaths.contains(f.path) {
            warnings.append(SpecWarning(SourceLocation(file: spec.specPath, line: 0, column: 0), field: "",
                                        "\(f.path): the file from \(boot.contentID) is replaced by the one mediafs writes").description)
        }
        for (path, bytes) in synthesized {
            let (parent, name) = splitPath(path)
            let file = MediaFile(name: name, source: .bytes(SharedBytes(bytes)), modified: synthesizedTime, attributes: .archive)
            do {
                try builder.add(file, in: parent)
            } catch {
                throw ComposeError.tree(error, package: nil)
            }
        }
        let tree = builder.build(label: spec.label, defaultTime: synthesizedTime)
        return Result(tree: tree, mediaGuid: mediaGuid, packages: placed, variables: variables,
                      warnings: warnings, synthesizedTime: synthesizedTime)
    }

    /// A package's folders and files, as blobs of the library with their recorded times and attributes.
    /// `skipping`: a file of the package not placed at its own path (a boot image's WIM).
    private func add(_ p: PlacedPackage, to builder: inout MediaTreeBuilder, skipping: String? = nil) throws(MediaTreeError) {
        if !p.folder.isEmpty { try builder.addFolder(p.folder) }
        for folder in p.content.folders {
            try builder.addFolder(joinedPath(p.folder, folder))
        }
        for f in p.content.files where f.path != skipping {
            let full = joinedPath(p.folder, f.path)
            let (parent, name) = splitPath(full)
            let file = MediaFile(name: name, source: .blob(Blob(path: f.blobPath, size: f.size, sha256: f.hash, library: snapshot.root)),
                                 modified: Timestamp(fileTime: f.timeModified),
                                 attributes: FileAttributes(rawValue: f.attributes), package: p.content.packageID)
            try builder.add(file, in: parent)
        }
    }

    // MARK: checks against the library

    /// The package `reference` names, or an error on `field` saying what is missing.
    func package(_ reference: PackageReference, field: String, context: String? = nil) throws -> PackageContent {
        do {
            return try snapshot.package(reference.description)
        } catch let error as ContentLibraryError {
            let prefix = context.map { "\($0), and " } ?? ""
            if case .unknownPackage = error {
                let versions = snapshot.versions(of: reference.packageID)
                if versions.isEmpty {
                    throw spec.error(field, "\(prefix)package \(reference.packageID) is not in the library \(snapshot.root)")
                }
                throw spec.error(field, "\(prefix)the library has no \(reference) (it has \(versions.map { "\(reference.packageID).\($0)" }.joined(separator: ", ")))")
            }
            throw spec.error(field, "\(prefix)package \(reference) cannot be read: \(error)")
        }
    }

    /// The boot image's EFI loaders (`EFI/BOOT/BOOT*.EFI`) must be runnable by the target
    /// architecture: an x64 computer runs x86 and x64 boot images, an x86 one only x86.
    func checkArchitecture(of boot: PackageContent, warnings: inout [String]) throws {
        let loaders = boot.files.filter { f in
            let upper = f.path.uppercased()
            return upper.hasPrefix("EFI/BOOT/BOOT") && upper.hasSuffix(".EFI") && !upper.dropFirst(9).contains("/")
        }
        guard !loaders.isEmpty else {
            warnings.append(spec.warning("boot.image", "\(boot.contentID) has no EFI/BOOT/BOOT*.EFI loader: its architecture cannot be checked and the media will not boot on UEFI").description)
            return
        }
        var found: [(LibraryFile, Architecture)] = []
        for loader in loaders {
            let machine: UInt16
            do {
                machine = try PEMachine.read(path: loader.blobPath, size: loader.size, library: snapshot.root)
            } catch {
                throw spec.error("boot.image", "\(boot.contentID)'s \(loader.path) is not an EFI executable: \(error)")
            }
            guard let arch = Architecture(peMachine: machine) else {
                throw spec.error("boot.image", "\(boot.contentID)'s \(loader.path) is for PE machine \(hex4(machine)), which is not x86 (0x014C), x64 (0x8664) or arm64 (0xAA64)")
            }
            found.append((loader, arch))
        }
        let target = spec.boot.architecture
        if !found.contains(where: { target.runs($0.1) }), let (loader, arch) = found.first {
            throw spec.error("boot.architecture",
                "the boot image \(boot.contentID) is \(arch.rawValue) (\(loader.path) is PE machine \(hex4(arch.peMachine))), and an \(target.rawValue) computer cannot run it (an x64 computer runs x86 and x64 boot images, an x86 one only x86)")
        }
    }

    /// The OS image package must hold a WIM (the first `.wim` by path) with at
    /// least `index` images (its header's image count).
    func checkImageIndex(_ index: Int, in os: PackageContent) throws {
        guard let wim = os.files.filter({ $0.path.lowercased().hasSuffix(".wim") }).min(by: { $0.path < $1.path }) else {
            throw spec.error("os-image.package", "\(os.contentID) holds no .wim file: an OS image package holds the image's WIM")
        }
        let count: UInt32
        do {
            count = try WIMHeaderFacts.imageCount(path: wim.blobPath, size: wim.size, library: snapshot.root)
        } catch {
            throw spec.error("os-image.package", "\(os.contentID)'s \(wim.path) is not a WIM: \(error)")
        }
        guard index <= Int(count) else {
            throw spec.error("os-image.index", "\(os.contentID)'s \(wim.path) holds \(count) image\(count == 1 ? "" : "s"); there is no image \(index)")
        }
    }

    /// `also`: paths the boot image adds beyond its package's files (read out of its WIM).
    func checkPath(_ path: String, in boot: PackageContent, also extra: [String] = [], field: String) throws {
        if boot.files.contains(where: { $0.path == path }) || extra.contains(path) { return }
        let hint = boot.files.first { $0.path.uppercased() == path.uppercased() }.map { " (it has \($0.path): names on the media keep their case)" } ?? ""
        throw spec.error(field, "\(path) is not in the boot image \(boot.contentID)\(hint)")
    }

    /// The packages the task sequence's XML names (see `TaskSequenceXML`), in file and document order.
    func references(of ts: PackageContent) throws -> [(PackageReference, String, Int)] {
        let xmlFiles = ts.files.filter { $0.path.lowercased().hasSuffix(".xml") }
        if xmlFiles.isEmpty {
            throw spec.error("task-sequence", "\(ts.contentID) holds no .xml file: the task sequence package must hold the task sequence XML, whose package=\"…\" attributes name the packages it references")
        }
        var result: [(PackageReference, String, Int)] = []
        for file in xmlFiles {
            guard file.size <= 16 << 20 else {
                throw spec.error("task-sequence", "\(ts.contentID)'s \(file.path) is \(file.size) bytes; a task sequence XML of more than 16 MiB is not read")
            }
            let bytes: [UInt8]
            do { bytes = try OpenFile(path: file.blobPath, beneath: snapshot.root).readAll() } catch {
                throw spec.error("task-sequence", "cannot read \(ts.contentID)'s \(file.path): \(error)")
            }
            do {
                for r in try TaskSequenceXML.references(in: bytes) { result.append((r.package, file.path, r.line)) }
            } catch {
                switch error {
                case .malformed(let line, let why):
                    throw spec.error("task-sequence", "\(ts.contentID)'s \(file.path) line \(line): not well-formed XML: \(why)")
                case .notAPackageID(let line, let value):
                    throw spec.error("task-sequence", "\(ts.contentID)'s \(file.path) line \(line): package=\"\(value)\" is not a package ID")
                }
            }
        }
        return result
    }

}

public enum ComposeError: Error, CustomStringConvertible {
    /// The tree refused a name (case collision, a name FAT or Joliet cannot hold), while adding `package`.
    case tree(MediaTreeError, package: String?)

    public var description: String {
        switch self {
        case .tree(let error, let package):
            return package.map { "\(error) (while adding \($0))" } ?? error.description
        }
    }
}
