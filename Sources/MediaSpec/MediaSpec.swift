/// The answers of the Create Task Sequence Media wizard for one media, read from
/// a YAML spec file (see the README, "Media spec"). Plain values: parsing and
/// field checks are in `SpecParser`, checks that need the clock or a certificate
/// file in `SpecChecks`, checks that need the content library in the composer.
public struct MediaSpec: Sendable {
    /// The spec file as the user named it (error messages use it).
    public let specPath: String
    /// The folder of the spec file (absolute): relative paths in the spec are relative to it.
    public let specFolder: String
    /// The spec file's bytes: with the content IDs, what the media GUID is derived from.
    public let sourceBytes: [UInt8]

    public let kind: MediaKind
    /// Absolute path of the SCCMContentLib folder.
    public let libraryPath: String
    /// The media label (`MediaLabel.txt`, ISO volume ID; the USB label is its first 11 characters).
    public let label: String
    public let target: MediaTarget
    public let boot: BootSettings
    /// Deploy without prompting (the wizard's "Allow unattended operating system deployment").
    public let unattended: Bool
    /// Bootable media only; nil for stand-alone and capture media.
    public let management: ManagementPoints?
    public let unknownComputers: UnknownComputers
    public let userDeviceAffinity: UserDeviceAffinity
    /// Where the media password comes from; nil: no password.
    public let password: SecretSource?
    /// Bootable media only.
    public let certificate: MediaCertificate?
    /// Task sequence variables, in the order of the spec (names unique ignoring case).
    public let variables: [TaskSequenceVariable]
    public let prestart: PrestartCommand?
    public let autorun: Bool
    /// Stand-alone media only: the task sequence package.
    public let taskSequence: PackageReference?
    /// Stand-alone media only: packages to add besides those the task sequence references.
    public let extraPackages: [PackageReference]
    /// Prestaged media only: the OS image package and the image index to apply.
    public let osImage: OSImageReference?
    /// Prestaged media only: packages, driver packages and applications to prestage.
    public let prestagedPackages: PrestagedPackages
    /// Prestaged media only: the wizard's "Created by", "Version", "Comment" (the WIM's XML).
    public let mediaProperties: MediaProperties
    /// The SMS/data files' cipher and the site's certificates they carry.
    public let mediaData: MediaDataSettings

    /// Field path (`boot.image`, `extra-packages[1]`) → where its value is in the file.
    public let locations: [String: SourceLocation]
    /// Warnings found while parsing (a label the USB stick truncates).
    public let warnings: [SpecWarning]

    public init(specPath: String, specFolder: String, sourceBytes: [UInt8], kind: MediaKind, libraryPath: String,
                label: String, target: MediaTarget, boot: BootSettings, unattended: Bool,
                management: ManagementPoints?, unknownComputers: UnknownComputers,
                userDeviceAffinity: UserDeviceAffinity, password: SecretSource?, certificate: MediaCertificate?,
                variables: [TaskSequenceVariable], prestart: PrestartCommand?, autorun: Bool,
                taskSequence: PackageReference?, extraPackages: [PackageReference],
                locations: [String: SourceLocation], warnings: [SpecWarning],
                osImage: OSImageReference? = nil, prestagedPackages: PrestagedPackages = PrestagedPackages(),
                mediaProperties: MediaProperties = MediaProperties(), mediaData: MediaDataSettings = MediaDataSettings()) {
        self.specPath = specPath
        self.specFolder = specFolder
        self.sourceBytes = sourceBytes
        self.kind = kind
        self.libraryPath = libraryPath
        self.label = label
        self.target = target
        self.boot = boot
        self.unattended = unattended
        self.management = management
        self.unknownComputers = unknownComputers
        self.userDeviceAffinity = userDeviceAffinity
        self.password = password
        self.certificate = certificate
        self.variables = variables
        self.prestart = prestart
        self.autorun = autorun
        self.taskSequence = taskSequence
        self.extraPackages = extraPackages
        self.osImage = osImage
        self.prestagedPackages = prestagedPackages
        self.mediaProperties = mediaProperties
        self.mediaData = mediaData
        self.locations = locations
        self.warnings = warnings
    }

    /// Where `field` is in the spec file (the nearest enclosing field that has a place, else the file).
    public func location(of field: String) -> SourceLocation {
        var key = field
        while true {
            if let found = locations[key] { return found }
            guard let cut = key.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            key = String(key[..<cut])
        }
        return SourceLocation(file: specPath, line: 0, column: 0)
    }

    /// An error about `field`, placed where the field is written.
    public func error(_ field: String, _ message: String) -> SpecError {
        SpecError(location(of: field), field: field, message)
    }

    public func warning(_ field: String, _ message: String) -> SpecWarning {
        SpecWarning(location(of: field), field: field, message)
    }

    public static let defaultLabel = "Configuration Manager"
    /// FAT volume labels hold 11 characters.
    public static let usbLabelLength = 11
}

public enum MediaKind: String, Sendable, CaseIterable {
    case bootable, standalone, capture
    /// One WIM to apply to a computer's disk before it is delivered (OEM media).
    case prestaged
}

/// Prestaged media's OS image: its package and which image of its WIM to apply.
public struct OSImageReference: Sendable, Equatable {
    public let package: PackageReference
    /// 1-based, as in the WIM's XML.
    public let index: Int

    public init(package: PackageReference, index: Int = 1) {
        self.package = package
        self.index = index
    }
}

/// Prestaged media's optional content, by the wizard's pages (all are packages in the library).
public struct PrestagedPackages: Sendable, Equatable {
    public var packages: [PackageReference] = []
    public var driverPackages: [PackageReference] = []
    public var applications: [PackageReference] = []

    public init(packages: [PackageReference] = [], driverPackages: [PackageReference] = [], applications: [PackageReference] = []) {
        self.packages = packages
        self.driverPackages = driverPackages
        self.applications = applications
    }
}

/// The wizard's descriptive fields of prestaged media; nil: not given.
public struct MediaProperties: Sendable, Equatable {
    public var createdBy: String?
    public var version: String?
    public var comment: String?

    public init(createdBy: String? = nil, version: String? = nil, comment: String? = nil) {
        self.createdBy = createdBy
        self.version = version
        self.comment = comment
    }
}

/// The media's processor architecture (`boot.architecture`).
public enum Architecture: String, Sendable, CaseIterable {
    case x86, x64, arm64

    /// The PE/COFF `Machine` value of an EFI loader built for it.
    public var peMachine: UInt16 {
        switch self {
        case .x86: return 0x014C
        case .x64: return 0x8664
        case .arm64: return 0xAA64
        }
    }

    public init?(peMachine: UInt16) {
        guard let found = Architecture.allCases.first(where: { $0.peMachine == peMachine }) else { return nil }
        self = found
    }

    /// Whether a computer of this architecture runs a boot image of `image`'s: an x64
    /// computer runs x86 and x64 images, an x86 one only x86 (the wizard's rule).
    public func runs(_ image: Architecture) -> Bool {
        image == self || (self == .x64 && image == .x86)
    }

    /// The folder name under `SMS/bin/` Configuration Manager uses.
    public var smsBinFolder: String {
        switch self {
        case .x86: return "i386"
        case .x64: return "x64"
        case .arm64: return "arm64"
        }
    }
}

/// USB disk image or CD/DVD set.
public enum MediaTarget: Sendable, Equatable {
    /// A FAT32 disk image of `size` bytes; nil: the smallest that fits.
    case usb(size: UInt64?)
    /// ISO 9660 images of at most `mediaSize` each.
    case iso(mediaSize: ISOMediaSize)
    /// One WIM file (prestaged media: applied to a hard disk).
    case wim

    public enum Kind: String, Sendable { case usb, iso, wim }

    public var kind: Kind {
        switch self {
        case .usb: return .usb
        case .iso: return .iso
        case .wim: return .wim
        }
    }

    /// The USB disk size; nil for `auto` or an ISO target.
    public var usbSize: UInt64? {
        if case .usb(let size) = self { return size }
        return nil
    }

    /// The capacity of one disc in bytes; nil for a USB target.
    public var isoMediaSize: UInt64? {
        if case .iso(let size) = self { return size.bytes }
        return nil
    }
}

/// The wizard's "Media size" for a CD/DVD set.
public enum ISOMediaSize: Sendable, Equatable {
    case cd650, cd700, dvd, dvdDualLayer
    case bytes(UInt64)

    /// Capacities in 2048-byte sectors of the standard discs (the figures burning tools use).
    public var bytes: UInt64 {
        switch self {
        case .cd650: return 333_000 * 2048          // 681,984,000
        case .cd700: return 360_000 * 2048          // 737,280,000
        case .dvd: return 2_295_104 * 2048          // 4,700,372,992
        case .dvdDualLayer: return 4_173_824 * 2048 // 8,547,991,552
        case .bytes(let n): return n
        }
    }

    /// Whether the discs are CDs (`_SMSTSLaunchMode` CD) rather than DVDs.
    public var isCD: Bool {
        switch self {
        case .cd650, .cd700: return true
        case .dvd, .dvdDualLayer: return false
        case .bytes(let n): return n <= ISOMediaSize.cd700.bytes
        }
    }
}

/// `ABC00001`, or pinned to one version: `ABC00001.3`.
public struct PackageReference: Hashable, Sendable, CustomStringConvertible {
    public let packageID: String
    public let version: Int?

    public init(packageID: String, version: Int? = nil) {
        self.packageID = packageID
        self.version = version
    }

    /// Parses `ABC00001` or `ABC00001.3`; nil when it is neither.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, PackageReference.isPackageID(String(parts[0])) else { return nil }
        var version: Int?
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let v = Int(parts[1]), v >= 1 else { return nil }
            version = v
        }
        self.init(packageID: String(parts[0]), version: version)
    }

    /// What the library's `package(_:)` takes.
    public var description: String { version.map { "\(packageID).\($0)" } ?? packageID }

    /// A site code (3 characters, A–Z and 0–9) and 5 upper-case hex digits.
    public static func isPackageID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 8 else { return false }
        let site = bytes[0..<3].allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
        let number = bytes[3...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) }
        return site && number
    }
}

public struct BootSettings: Sendable, Equatable {
    /// The boot image package.
    public let image: PackageReference
    /// The architecture of the computers the media boots.
    public let architecture: Architecture
    /// El Torito BIOS no-emulation loader: a path inside the boot image (ISO targets).
    public let biosLoader: String
    /// Patch a boot info table into the BIOS loader (xorriso `-boot-info-table`; GRUB's loader needs it).
    public let bootInfoTable: Bool
    /// MBR boot code (a path inside the boot image) for a hybrid ISO that boots from a USB stick too.
    public let hybridMBR: String?
    /// Which image of a boot image package's WIM is Windows PE (1-based; WIMs may hold several).
    public let imageIndex: Int

    public static let defaultBIOSLoader = "boot/etfsboot.com"

    public init(image: PackageReference, architecture: Architecture, biosLoader: String = BootSettings.defaultBIOSLoader,
                bootInfoTable: Bool = false, hybridMBR: String? = nil, imageIndex: Int = 1) {
        self.image = image
        self.architecture = architecture
        self.biosLoader = biosLoader
        self.bootInfoTable = bootInfoTable
        self.hybridMBR = hybridMBR
        self.imageIndex = imageIndex
    }
}

/// A management point URL (`http://mp1.contoso.com`, `https://mp2.contoso.com:8443`).
public struct ManagementPointURL: Sendable, Equatable, CustomStringConvertible {
    public let url: String
    public let isHTTPS: Bool
    public let host: String
    /// The port written in the URL, if any.
    public let port: Int?

    public init?(parsing text: String) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { isHTTPS = true; rest = text.dropFirst(8) }
        else if lower.hasPrefix("http://") { isHTTPS = false; rest = text.dropFirst(7) }
        else { return nil }
        let authority = rest.prefix(while: { $0 != "/" })
        guard !authority.isEmpty, !text.contains("*"), !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
              !authority.contains("@") else { return nil }
        if let colon = authority.lastIndex(of: ":") {
            let digits = authority[authority.index(after: colon)...]
            guard let p = Int(digits), (1...65535).contains(p), digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            port = p
            host = String(authority[..<colon])
        } else {
            port = nil
            host = String(authority)
        }
        guard !host.isEmpty else { return nil }
        url = text
    }

    public var description: String { url }
}

/// The wizard's Media Management page.
public enum ManagementPoints: Sendable, Equatable {
    /// The media contacts only this management point.
    case siteBased(ManagementPointURL, siteCode: String)
    /// A management point may redirect the media to another; tried in this order.
    case dynamic([ManagementPointURL], siteCode: String?)
    /// Internet-based media: the site is reached through its cloud management gateway (an HTTPS URL).
    case internet(gateway: ManagementPointURL, siteCode: String)

    public var all: [ManagementPointURL] {
        switch self {
        case .siteBased(let mp, _): return [mp]
        case .dynamic(let mps, _): return mps
        case .internet(let gateway, _): return [gateway]
        }
    }

    public var siteCode: String? {
        switch self {
        case .siteBased(_, let code): return code
        case .dynamic(_, let code): return code
        case .internet(_, let code): return code
        }
    }

    public var isInternet: Bool { if case .internet = self { return true } else { return false } }
}

/// Unknown computer support: off, or on with the GUIDs of the site's
/// "x64/x86 Unknown Computer" records (derived by mediafs when not given).
public enum UnknownComputers: Sendable, Equatable {
    case disabled
    case enabled(x64: String?, x86: String?)

    public var isEnabled: Bool { if case .enabled = self { return true } else { return false } }
}

public enum UserDeviceAffinity: String, Sendable, CaseIterable {
    case none
    case autoApprove = "auto-approve"
    case pendingApproval = "pending-approval"

    /// The value of the task sequence variable `SMSTSAssignUsersMode`.
    public var assignUsersMode: String {
        switch self {
        case .none: return "Disabled"
        case .autoApprove: return "Auto"
        case .pendingApproval: return "Pending"
        }
    }
}

/// Where a secret comes from. Never the secret itself: the spec is a file admins
/// share and commit, so a password written in it would be stored in plain text.
public enum SecretSource: Sendable, Equatable, CustomStringConvertible {
    /// An environment variable of the mediafs process.
    case environment(String)
    /// A file (absolute path); its content minus one trailing newline.
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): return "environment variable \(name)"
        case .file(let path): return "file \(path)"
        }
    }
}

/// A moment written in the spec: `2026-01-01` (midnight UTC) or `2026-01-01T08:00:00Z`.
public struct SpecDate: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01 UTC.
    public let seconds: Int64
    /// As written.
    public let text: String

    public init(seconds: Int64, text: String) {
        self.seconds = seconds
        self.text = text
    }

    public static func < (a: SpecDate, b: SpecDate) -> Bool { a.seconds < b.seconds }
    public static func == (a: SpecDate, b: SpecDate) -> Bool { a.seconds == b.seconds }
    public var description: String { text }
}

/// The media certificate (the wizard's Security page).
public enum MediaCertificate: Sendable, Equatable {
    /// HTTP communication: a certificate mediafs makes, valid between the two dates, for the
    /// RSA private key in `key` (a PEM file `mediafs certificate new-key` writes; a secret).
    case selfSigned(start: SpecDate, expires: SpecDate, key: SecretSource)
    /// HTTPS communication: a PKI client certificate with its private key as a PFX (PKCS#12, absolute path) and its password.
    case pki(file: String, password: SecretSource?)
}

/// `encryption`: the cipher of Variables.dat and Policy.xml.
public enum MediaDataEncryption: String, Sendable, CaseIterable {
    case aes128, aes256
}

/// The fields about the SMS/data files beyond the wizard's pages.
public struct MediaDataSettings: Sendable, Equatable {
    public let encryption: MediaDataEncryption
    /// Bootable: the site's trusted root CA certificates (absolute paths of PEM or DER files; a PEM file may hold several).
    public let rootCACertificates: [String]
    /// Bootable: the site's signing certificate (absolute path, PEM or DER).
    public let siteSigningCertificate: String?

    public init(encryption: MediaDataEncryption = .aes128, rootCACertificates: [String] = [], siteSigningCertificate: String? = nil) {
        self.encryption = encryption
        self.rootCACertificates = rootCACertificates
        self.siteSigningCertificate = siteSigningCertificate
    }
}

public struct TaskSequenceVariable: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct PrestartCommand: Sendable, Equatable {
    public let commandLine: String
    /// The package with the files the command needs, copied to `SMS/PKG/<PackageID>/`.
    public let package: PackageReference?

    public init(commandLine: String, package: PackageReference?) {
        self.commandLine = commandLine
        self.package = package
    }
}
