import SystemIO
import Yams

/// Reads a spec file (YAML) into a `MediaSpec`, checking every field: unknown
/// keys, values of the wrong kind, fields the media kind does not use, secrets
/// written in clear. Every error names the field and the line:column where
/// Yams saw its value. No I/O besides reading the spec itself (`load`).
public enum SpecParser {
    /// Reads and parses the spec file at `path` (as the user named it: messages use it).
    public static func load(path: String) throws -> MediaSpec {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch {
            throw SpecError(SourceLocation(file: path, line: 0, column: 0), field: "", "cannot read the spec: \(error)")
        }
        let absolute = FileSystem.absolute(path)
        let folder = absolute.lastIndex(of: "/").map { String(absolute[..<$0]) } ?? "."
        return try parse(bytes, path: path, folder: folder.isEmpty ? "/" : folder)
    }

    /// Parses spec text. `folder` (absolute) is what relative paths in the spec are relative to.
    public static func parse(_ bytes: [UInt8], path: String, folder: String) throws(SpecError) -> MediaSpec {
        var reader = Reader(file: path, folder: folder)
        return try reader.read(bytes)
    }
}

/// Field by field, with the path of each field (`target.usb.size`) for messages.
private struct Reader {
    let file: String
    let folder: String
    var locations: [String: SourceLocation] = [:]
    var warnings: [SpecWarning] = []

    init(file: String, folder: String) {
        self.file = file
        self.folder = folder
    }

    // MARK: the document

    /// Which top-level fields each media kind takes: the wizard shows these pages for it.
    static let topLevelKeys = ["kind", "library", "label", "target", "boot", "unattended", "management",
                               "unknown-computers", "user-device-affinity", "password", "certificate",
                               "variables", "prestart", "autorun", "task-sequence", "extra-packages",
                               "os-image", "packages", "driver-packages", "applications", "media-properties",
                               "encryption", "root-ca-certificates", "site-signing-certificate"]
    static let onlyFor: [String: Set<MediaKind>] = [
        "unattended": [.bootable, .standalone],
        "password": [.bootable, .standalone, .prestaged],
        "variables": [.bootable, .standalone, .prestaged],
        "prestart": [.bootable, .standalone, .prestaged],
        "autorun": [.bootable, .standalone, .capture],
        "os-image": [.prestaged],
        "packages": [.prestaged],
        "driver-packages": [.prestaged],
        "applications": [.prestaged],
        "media-properties": [.prestaged],
        "management": [.bootable],
        "certificate": [.bootable],
        "unknown-computers": [.bootable],
        "user-device-affinity": [.bootable],
        "task-sequence": [.standalone],
        "extra-packages": [.standalone],
        "root-ca-certificates": [.bootable],
        "site-signing-certificate": [.bootable],
    ]
    static let whyOnly: [String: String] = [
        "management": "only bootable media contacts a management point",
        "certificate": "only bootable media talks to the site",
        "unknown-computers": "only bootable media asks the site for a task sequence",
        "user-device-affinity": "only bootable media asks the site for a task sequence",
        "task-sequence": "only stand-alone media carries its task sequence",
        "extra-packages": "only stand-alone media carries packages",
        "autorun": "prestaged media is applied to a disk, not inserted",
        "os-image": "only prestaged media carries an OS image",
        "packages": "only prestaged media prestages packages",
        "driver-packages": "only prestaged media prestages driver packages",
        "applications": "only prestaged media prestages applications",
        "media-properties": "only prestaged media is a WIM with descriptive fields",
        "root-ca-certificates": "only bootable media talks to the site",
        "site-signing-certificate": "only bootable media talks to the site",
    ]

    mutating func read(_ bytes: [UInt8]) throws(SpecError) -> MediaSpec {
        var text = String(decoding: bytes, as: UTF8.self)
        guard Array(text.utf8) == bytes else { throw SpecError(at(line: 0), field: "", "the spec is not UTF-8 text") }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw SpecError(at(line: 0), field: "", "the spec is empty")
            }
            root = node
        } catch let error as SpecError {
            throw error
        } catch let error as YamlError {
            throw yamlError(error)
        } catch {
            throw SpecError(at(line: 0), field: "", "the spec does not parse as YAML: \(error)")
        }

        let top = try fields(root, "", allowed: Reader.topLevelKeys)

        let kindNode = try required(top, "kind", in: root)
        let kindText = try string(kindNode, "kind")
        guard let kind = MediaKind(rawValue: kindText) else {
            throw fail(kindNode, "kind", "\(quoted(kindText)) is not a media kind (use bootable, standalone, capture or prestaged)")
        }
        for (key, node) in top.sortedByPosition {
            if let kinds = Reader.onlyFor[key], !kinds.contains(kind) {
                let why = Reader.whyOnly[key].map { " (\($0))" } ?? ""
                throw fail(node, key, "is not used by \(kind.displayName) media\(why); remove it")
            }
        }

        let libraryNode = try required(top, "library", in: root)
        let libraryText = try string(libraryNode, "library")
        guard !libraryText.isEmpty else { throw fail(libraryNode, "library", "is empty; give the path of the SCCMContentLib folder") }
        let libraryPath = resolve(libraryText)

        let target: MediaTarget
        if kind == .prestaged {
            // Prestaged media is one WIM: `target` may be left out, or say wim.
            target = .wim
            if let node = top["target"], node.scalar?.string != "wim" {
                throw fail(node, "target", "prestaged media is one WIM file to apply to a disk: leave target out or write target: wim")
            }
        } else {
            let node = try required(top, "target", in: root)
            if node.scalar?.string == "wim" {
                throw fail(node, "target", "only prestaged media is a WIM (kind: prestaged); \(kind.displayName) media is usb or iso (mediafs export --format wim still writes its tree as a WIM)")
            }
            target = try readTarget(node)
        }

        var label = MediaSpec.defaultLabel
        if let node = top["label"] {
            label = try string(node, "label")
            if label.isEmpty { throw fail(node, "label", "is empty (the default is \"\(MediaSpec.defaultLabel)\")") }
            if SpecValues.hasControlCharacter(label) { throw fail(node, "label", "contains a control character") }
            if label.count > 32 {
                throw fail(node, "label", "is \(label.count) characters long; a media label holds at most 32 (the ISO volume identifier)")
            }
        }
        if target.kind == .usb && label.count > MediaSpec.usbLabelLength {
            let place = top["label"].map(location) ?? at(line: 0)
            let which = top["label"] == nil ? "the default label " : ""
            warnings.append(SpecWarning(place, field: "label",
                "\(which)\(quoted(label)) is \(label.count) characters long; a USB volume label holds \(MediaSpec.usbLabelLength), so the stick will be named \(quoted(String(label.prefix(MediaSpec.usbLabelLength)))) (MediaLabel.txt keeps the whole label)"))
        }

        let boot = try readBoot(try required(top, "boot", in: root))
        let unattended = try top["unattended"].map { node throws(SpecError) in try bool(node, "unattended") } ?? false
        let autorun = try top["autorun"].map { node throws(SpecError) in try bool(node, "autorun") } ?? false

        var management: ManagementPoints?
        var certificate: MediaCertificate?
        var unknownComputers = UnknownComputers.disabled
        var affinity = UserDeviceAffinity.none
        if kind == .bootable {
            management = try readManagement(try required(top, "management", in: root, hint: "bootable media needs site-based or dynamic management points"))
            certificate = try readCertificate(try required(top, "certificate", in: root, hint: "bootable media needs a self-signed or PKI media certificate"))
            if let node = top["unknown-computers"] { unknownComputers = try readUnknownComputers(node) }
            if let node = top["user-device-affinity"] {
                let text = try string(node, "user-device-affinity")
                guard let value = UserDeviceAffinity(rawValue: text) else {
                    throw fail(node, "user-device-affinity", "\(quoted(text)) is not none, auto-approve or pending-approval")
                }
                affinity = value
            }
        }

        let password = try top["password"].map { node throws(SpecError) in try readSecret(node, "password", what: "a password") }
        let variables = try top["variables"].map { node throws(SpecError) in try readVariables(node) } ?? []
        let prestart = try top["prestart"].map { node throws(SpecError) in try readPrestart(node) }

        // A list of package references under `key`; a package listed twice (here or in
        // an earlier list, `seen`: package ID → the field naming it) is an error.
        func packageList(_ key: String, seen: inout [String: String]) throws(SpecError) -> [PackageReference] {
            guard let node = top[key] else { return [] }
            var result: [PackageReference] = []
            for (index, item) in try sequence(node, key).enumerated() {
                let field = "\(key)[\(index)]"
                record(field, item)
                let reference = try packageReference(item, field)
                if let earlier = seen[reference.packageID] {
                    throw fail(item, field, "\(reference.packageID) is already listed (\(earlier))")
                }
                seen[reference.packageID] = field
                result.append(reference)
            }
            return result
        }

        var taskSequence: PackageReference?
        var extraPackages: [PackageReference] = []
        if kind == .standalone {
            taskSequence = try packageReference(try required(top, "task-sequence", in: root, hint: "stand-alone media needs its task sequence package"), "task-sequence")
            var seen: [String: String] = [:]
            extraPackages = try packageList("extra-packages", seen: &seen)
        }

        var osImage: OSImageReference?
        var prestaged = PrestagedPackages()
        var properties = MediaProperties()
        if kind == .prestaged {
            osImage = try readOSImage(try required(top, "os-image", in: root, hint: "prestaged media needs the OS image package to apply"))
            var seen: [String: String] = [:]
            if let o = osImage { seen[o.package.packageID] = "os-image.package" }
            prestaged = PrestagedPackages(packages: try packageList("packages", seen: &seen),
                                          driverPackages: try packageList("driver-packages", seen: &seen),
                                          applications: try packageList("applications", seen: &seen))
            if let node = top["media-properties"] { properties = try readMediaProperties(node) }
        }

        let mediaData = try readMediaData(top)
        if case .internet = management, password == nil, let node = top["management"] {
            throw fail(node, "management.internet", "internet-based media needs a media password (password: {env: …} or {file: …}); the wizard asks for a strong one, since anyone holding the media could otherwise reach the site from the internet")
        }

        // The wizard offers no HTTPS management point once a self-signed certificate is chosen,
        // and only HTTPS ones once a PKI certificate is: the media could not talk to the others.
        // A cloud management gateway is always HTTPS and takes either certificate.
        if let management, let certificate, !management.isInternet {
            for (index, mp) in management.all.enumerated() {
                let field: String
                switch management {
                case .siteBased: field = "management.site-based.management-point"
                case .dynamic: field = "management.dynamic.management-points[\(index)]"
                case .internet: field = "management.internet.gateway"
                }
                let place = locations[field] ?? at(line: 0)
                if case .selfSigned = certificate, mp.isHTTPS {
                    throw SpecError(place, field: field, "\(mp.url) is an HTTPS management point, and a self-signed media certificate works only over HTTP (the wizard forbids this); import a PKI certificate (certificate: pki) or use an HTTP management point")
                }
                if case .pki = certificate, !mp.isHTTPS {
                    throw SpecError(place, field: field, "\(mp.url) is an HTTP management point, and a PKI media certificate is for HTTPS (the wizard offers only HTTPS management points then); use https:// or a self-signed certificate")
                }
            }
        }

        return MediaSpec(specPath: file, specFolder: folder, sourceBytes: bytes, kind: kind, libraryPath: libraryPath,
                         label: label, target: target, boot: boot, unattended: unattended, management: management,
                         unknownComputers: unknownComputers, userDeviceAffinity: affinity, password: password,
                         certificate: certificate, variables: variables, prestart: prestart, autorun: autorun,
                         taskSequence: taskSequence, extraPackages: extraPackages, locations: locations, warnings: warnings,
                         osImage: osImage, prestagedPackages: prestaged, mediaProperties: properties,
                         mediaData: mediaData)
    }

    mutating func readOSImage(_ node: Node) throws(SpecError) -> OSImageReference {
        if node.scalar != nil { return OSImageReference(package: try packageReference(node, "os-image")) }
        let m = try fields(node, "os-image", allowed: ["package", "index"])
        let package = try packageReference(try required(m, "package", in: node, parent: "os-image"), "os-image.package")
        var index = 1
        if let n = m["index"] {
            let text = try string(n, "os-image.index")
            guard let v = Int(text), v >= 1, v <= 65535, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw fail(n, "os-image.index", "\(quoted(text)) is not an image index (1 for the first image of the WIM)")
            }
            index = v
        }
        return OSImageReference(package: package, index: index)
    }

    mutating func readMediaProperties(_ node: Node) throws(SpecError) -> MediaProperties {
        let m = try fields(node, "media-properties", allowed: ["created-by", "version", "comment"])
        func text(_ key: String) throws(SpecError) -> String? {
            guard let n = m[key] else { return nil }
            let field = "media-properties.\(key)"
            let value = try string(n, field)
            if value.unicodeScalars.contains(where: { $0.value == 0 }) { throw fail(n, field, "contains a NUL character") }
            if value.utf8.count > 4096 { throw fail(n, field, "is longer than 4096 bytes") }
            return value
        }
        return MediaProperties(createdBy: try text("created-by"), version: try text("version"), comment: try text("comment"))
    }

    // MARK: sections

    mutating func readTarget(_ node: Node) throws(SpecError) -> MediaTarget {
        if let scalar = node.scalar, !isNull(node) {
            switch scalar.string {
            case "usb": return .usb(size: nil)
            case "iso": return .iso(mediaSize: .dvd)
            default: throw fail(node, "target", "\(quoted(scalar.string)) is not a target (use usb or iso, or a mapping: usb: {size: 16GB} or iso: {media-size: dvd})")
            }
        }
        let map = try fields(node, "target", allowed: ["usb", "iso"])
        guard map.count == 1, let (key, value) = map.sortedByPosition.first else {
            throw fail(node, "target", "give exactly one of usb or iso")
        }
        if key == "usb" {
            if isNull(value) { return .usb(size: nil) }
            let usb = try fields(value, "target.usb", allowed: ["size"])
            guard let sizeNode = usb["size"] else { return .usb(size: nil) }
            let text = try string(sizeNode, "target.usb.size")
            if text == "auto" { return .usb(size: nil) }
            guard let size = SpecValues.byteCount(text) else {
                throw fail(sizeNode, "target.usb.size", "\(quoted(text)) is not a size (use 16GB, 8GiB, a byte count or auto)")
            }
            guard size >= 64 << 20 else {
                throw fail(sizeNode, "target.usb.size", "\(quoted(text)) is too small for a FAT32 disk (at least 64MiB)")
            }
            return .usb(size: size)
        }
        if isNull(value) { return .iso(mediaSize: .dvd) }
        let iso = try fields(value, "target.iso", allowed: ["media-size"])
        guard let sizeNode = iso["media-size"] else { return .iso(mediaSize: .dvd) }
        let text = try string(sizeNode, "target.iso.media-size")
        switch text {
        case "cd650": return .iso(mediaSize: .cd650)
        case "cd700": return .iso(mediaSize: .cd700)
        case "dvd": return .iso(mediaSize: .dvd)
        case "dvd-dl": return .iso(mediaSize: .dvdDualLayer)
        default:
            guard let size = SpecValues.byteCount(text) else {
                throw fail(sizeNode, "target.iso.media-size", "\(quoted(text)) is not a media size (use cd650, cd700, dvd, dvd-dl, or a size such as 4GB or a byte count)")
            }
            guard size >= 1 << 20 else {
                throw fail(sizeNode, "target.iso.media-size", "\(quoted(text)) is too small for a disc (at least 1MiB)")
            }
            return .iso(mediaSize: .bytes(size))
        }
    }

    mutating func readBoot(_ node: Node) throws(SpecError) -> BootSettings {
        let map = try fields(node, "boot", allowed: ["image", "architecture", "bios-loader", "boot-info-table", "hybrid-mbr", "image-index"])
        let image = try packageReference(try required(map, "image", in: node, parent: "boot"), "boot.image")
        let archNode = try required(map, "architecture", in: node, parent: "boot")
        let archText = try string(archNode, "boot.architecture")
        guard let architecture = Architecture(rawValue: archText) else {
            throw fail(archNode, "boot.architecture", "\(quoted(archText)) is not an architecture (use x86, x64 or arm64)")
        }
        var loader = BootSettings.defaultBIOSLoader
        if let n = map["bios-loader"] { loader = try path(n, "boot.bios-loader") }
        let infoTable = try map["boot-info-table"].map { n throws(SpecError) in try bool(n, "boot.boot-info-table") } ?? false
        let hybrid = try map["hybrid-mbr"].map { n throws(SpecError) in try path(n, "boot.hybrid-mbr") }
        var imageIndex = 1
        if let n = map["image-index"] {
            let text = try string(n, "boot.image-index")
            guard let value = Int(text), value >= 1, value <= 65_535 else {
                throw fail(n, "boot.image-index", "\(quoted(text)) is not an image number of the boot image's WIM (1, 2, …)")
            }
            imageIndex = value
        }
        return BootSettings(image: image, architecture: architecture, biosLoader: loader, bootInfoTable: infoTable,
                            hybridMBR: hybrid, imageIndex: imageIndex)
    }

    mutating func readManagement(_ node: Node) throws(SpecError) -> ManagementPoints {
        let map = try fields(node, "management", allowed: ["site-based", "dynamic", "internet"])
        guard map.count == 1, let (key, value) = map.sortedByPosition.first else {
            throw fail(node, "management", "give exactly one of site-based, dynamic or internet")
        }
        if key == "internet" {
            let field = "management.internet"
            let m = try fields(value, field, allowed: ["gateway", "site-code"])
            let gatewayNode = try required(m, "gateway", in: value, parent: field,
                                           hint: "the cloud management gateway's URL (https://cmg.contoso.com/CCM_Proxy_MutualAuth/…)")
            let gateway = try url(gatewayNode, field + ".gateway")
            guard gateway.isHTTPS else {
                throw fail(gatewayNode, field + ".gateway", "\(gateway.url) is not an HTTPS URL; a cloud management gateway is reached over HTTPS only")
            }
            let code = try siteCode(try required(m, "site-code", in: value, parent: field), field + ".site-code")
            return .internet(gateway: gateway, siteCode: code)
        }
        if key == "site-based" {
            let field = "management.site-based"
            let m = try fields(value, field, allowed: ["management-point", "site-code"])
            let mp = try url(try required(m, "management-point", in: value, parent: field), field + ".management-point")
            let code = try siteCode(try required(m, "site-code", in: value, parent: field), field + ".site-code")
            return .siteBased(mp, siteCode: code)
        }
        let field = "management.dynamic"
        let m = try fields(value, field, allowed: ["management-points", "site-code"])
        let listNode = try required(m, "management-points", in: value, parent: field)
        var mps: [ManagementPointURL] = []
        for (index, item) in try sequence(listNode, field + ".management-points").enumerated() {
            let itemField = "\(field).management-points[\(index)]"
            record(itemField, item)
            let mp = try url(item, itemField)
            if mps.contains(where: { $0.url.lowercased() == mp.url.lowercased() }) {
                throw fail(item, itemField, "\(mp.url) is listed twice")
            }
            mps.append(mp)
        }
        if mps.isEmpty { throw fail(listNode, field + ".management-points", "is empty; list the management points in the order to try them") }
        let code = try m["site-code"].map { n throws(SpecError) in try siteCode(n, field + ".site-code") }
        return .dynamic(mps, siteCode: code)
    }

    mutating func readCertificate(_ node: Node) throws(SpecError) -> MediaCertificate {
        let map = try fields(node, "certificate", allowed: ["self-signed", "pki"])
        guard map.count == 1, let (key, value) = map.sortedByPosition.first else {
            throw fail(node, "certificate", "give exactly one of self-signed or pki")
        }
        if key == "self-signed" {
            let field = "certificate.self-signed"
            let m = try fields(value, field, allowed: ["start", "expires", "key"])
            let start = try date(try required(m, "start", in: value, parent: field), field + ".start")
            let expires = try date(try required(m, "expires", in: value, parent: field), field + ".expires")
            if expires <= start, let expiresNode = m["expires"] {
                throw fail(expiresNode, field + ".expires", "\(expires) is not after the start date \(start)")
            }
            let keyNode = try required(m, "key", in: value, parent: field,
                                       hint: "the certificate's private key, {file: media-key.pem} or {env: VARIABLE}; create one with `mediafs certificate new-key FILE`")
            let key = try readSecret(keyNode, field + ".key", what: "a private key")
            return .selfSigned(start: start, expires: expires, key: key)
        }
        let field = "certificate.pki"
        let m = try fields(value, field, allowed: ["file", "password"])
        let fileNode = try required(m, "file", in: value, parent: field)
        let fileText = try string(fileNode, field + ".file")
        guard !fileText.isEmpty else { throw fail(fileNode, field + ".file", "is empty; give the certificate with its private key (a PFX file)") }
        let password = try m["password"].map { n throws(SpecError) in try readSecret(n, field + ".password", what: "a certificate password") }
        return .pki(file: resolve(fileText), password: password)
    }

    /// `encryption`, `root-ca-certificates`, `site-signing-certificate`.
    mutating func readMediaData(_ top: Fields) throws(SpecError) -> MediaDataSettings {
        var encryption = MediaDataEncryption.aes128
        if let node = top["encryption"] {
            let text = try string(node, "encryption")
            guard let value = MediaDataEncryption(rawValue: text) else {
                throw fail(node, "encryption", "\(quoted(text)) is not aes128 or aes256")
            }
            encryption = value
        }
        var roots: [String] = []
        if let node = top["root-ca-certificates"] {
            for (index, item) in try sequence(node, "root-ca-certificates").enumerated() {
                let field = "root-ca-certificates[\(index)]"
                record(field, item)
                let text = try string(item, field)
                guard !text.isEmpty else { throw fail(item, field, "is empty; give a PEM or DER certificate file") }
                roots.append(resolve(text))
            }
        }
        let signing = try top["site-signing-certificate"].map { node throws(SpecError) -> String in
            let text = try string(node, "site-signing-certificate")
            guard !text.isEmpty else { throw fail(node, "site-signing-certificate", "is empty; give a PEM or DER certificate file") }
            return resolve(text)
        }
        return MediaDataSettings(encryption: encryption, rootCACertificates: roots, siteSigningCertificate: signing)
    }

    mutating func readUnknownComputers(_ node: Node) throws(SpecError) -> UnknownComputers {
        if node.scalar != nil {
            return try bool(node, "unknown-computers") ? .enabled(x64: nil, x86: nil) : .disabled
        }
        let m = try fields(node, "unknown-computers", allowed: ["x64", "x86"])
        func guid(_ key: String) throws(SpecError) -> String? {
            guard let n = m[key] else { return nil }
            let text = try string(n, "unknown-computers.\(key)")
            guard let g = SpecValues.guid(text) else {
                throw fail(n, "unknown-computers.\(key)", "\(quoted(text)) is not a GUID (the GUID of the site's \(key) Unknown Computer record)")
            }
            return g
        }
        return .enabled(x64: try guid("x64"), x86: try guid("x86"))
    }

    mutating func readSecret(_ node: Node, _ field: String, what: String) throws(SpecError) -> SecretSource {
        if node.scalar != nil {
            // Never echo the value: it is probably the secret.
            throw fail(node, field, "\(what) must not be written in the spec, where anyone who can read the file can read it; give {env: VARIABLE} (an environment variable) or {file: path} (a file holding it) instead")
        }
        let m = try fields(node, field, allowed: ["env", "file"])
        guard m.count == 1, let (key, value) = m.sortedByPosition.first else {
            throw fail(node, field, "give exactly one of env or file")
        }
        let text = try string(value, field + "." + key)
        if key == "env" {
            guard SpecValues.isEnvironmentName(text) else {
                throw fail(value, field + ".env", "\(quoted(text)) is not an environment variable name")
            }
            return .environment(text)
        }
        guard !text.isEmpty else { throw fail(value, field + ".file", "is empty; give the path of the file holding \(what)") }
        return .file(resolve(text))
    }

    /// Names that mediafs sets itself from other fields: setting them in `variables` would contradict those.
    static let reservedVariables: [String: String] = [
        "SMSTSMP": "management", "SMSTSLOCATIONMPS": "management", "SMSTSASSIGNUSERSMODE": "user-device-affinity",
    ]

    mutating func readVariables(_ node: Node) throws(SpecError) -> [TaskSequenceVariable] {
        if isNull(node) { return [] }
        guard let mapping = node.mapping else { throw fail(node, "variables", "must be a mapping of names to values (NAME: value)") }
        var result: [TaskSequenceVariable] = []
        var seen: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string, !isNull(keyNode) else { throw fail(keyNode, "variables", "a variable name must be a plain string") }
            let field = "variables.\(name)"
            record(field, valueNode)
            guard SpecValues.isVariableName(name) else {
                throw fail(keyNode, field, "\(quoted(name)) is not a variable name (letters, digits and _, at most 255)")
            }
            if name.hasPrefix("_") {
                throw fail(keyNode, field, "names that start with _ are read-only task sequence variables, set by Configuration Manager")
            }
            if let from = Reader.reservedVariables[name.uppercased()] {
                throw fail(keyNode, field, "mediafs sets \(name) from the \(from) field; set it there")
            }
            if let earlier = seen[name.uppercased()] {
                throw fail(keyNode, field, "\(name) is already set as \(earlier) (variable names ignore case)")
            }
            guard let value = valueNode.scalar, !isNull(valueNode) else {
                throw fail(valueNode, field, "needs a string value (write \"\" for an empty one)")
            }
            if value.string.unicodeScalars.contains(where: { $0.value == 0 }) { throw fail(valueNode, field, "contains a NUL character") }
            seen[name.uppercased()] = name
            result.append(TaskSequenceVariable(name: name, value: value.string))
        }
        return result
    }

    mutating func readPrestart(_ node: Node) throws(SpecError) -> PrestartCommand {
        let m = try fields(node, "prestart", allowed: ["command", "package"])
        let commandNode = try required(m, "command", in: node, parent: "prestart")
        let command = try string(commandNode, "prestart.command")
        if command.trimmingSpaces.isEmpty { throw fail(commandNode, "prestart.command", "is empty") }
        if SpecValues.hasControlCharacter(command) { throw fail(commandNode, "prestart.command", "must be one line") }
        let package = try m["package"].map { n throws(SpecError) in try packageReference(n, "prestart.package") }
        return PrestartCommand(commandLine: command, package: package)
    }

    // MARK: values

    func packageReference(_ node: Node, _ field: String) throws(SpecError) -> PackageReference {
        let text = try string(node, field)
        guard let reference = PackageReference(parsing: text) else {
            let hint = PackageReference(parsing: text.uppercased()) != nil ? " (package IDs are upper case: \(text.uppercased()))" : ""
            throw fail(node, field, "\(quoted(text)) is not a package ID (a 3-character site code and 5 hex digits, e.g. ABC00001, optionally pinned to a version: ABC00001.3)\(hint)")
        }
        return reference
    }

    func url(_ node: Node, _ field: String) throws(SpecError) -> ManagementPointURL {
        let text = try string(node, field)
        guard let mp = ManagementPointURL(parsing: text) else {
            throw fail(node, field, "\(quoted(text)) is not a management point URL (http://server or https://server[:port])")
        }
        return mp
    }

    func siteCode(_ node: Node, _ field: String) throws(SpecError) -> String {
        let text = try string(node, field)
        guard SpecValues.isSiteCode(text) else { throw fail(node, field, "\(quoted(text)) is not a site code (3 characters, A-Z and 0-9)") }
        return text
    }

    func date(_ node: Node, _ field: String) throws(SpecError) -> SpecDate {
        let text = try string(node, field)
        guard let d = SpecValues.date(text) else {
            throw fail(node, field, "\(quoted(text)) is not a date (use 2026-01-01 or 2026-01-01T08:00:00Z, UTC)")
        }
        return d
    }

    func path(_ node: Node, _ field: String) throws(SpecError) -> String {
        let text = try string(node, field)
        guard let p = SpecValues.packagePath(text) else {
            throw fail(node, field, "\(quoted(text)) is not a path inside the boot image (like boot/etfsboot.com)")
        }
        return p
    }

    func bool(_ node: Node, _ field: String) throws(SpecError) -> Bool {
        let text = try string(node, field)
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw fail(node, field, "\(quoted(text)) is not true or false")
        }
    }

    func string(_ node: Node, _ field: String) throws(SpecError) -> String {
        guard let scalar = node.scalar else {
            throw fail(node, field, "must be a single value, not a \(node.mapping != nil ? "mapping" : "list")")
        }
        if isNull(node) { throw fail(node, field, "has no value") }
        return scalar.string
    }

    func sequence(_ node: Node, _ field: String) throws(SpecError) -> [Node] {
        if isNull(node) { return [] }
        guard let seq = node.sequence else { throw fail(node, field, "must be a list") }
        return Array(seq)
    }

    /// A plain `~`, `null` or nothing: YAML's null, which no field takes as a value.
    func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    // MARK: mappings and places

    /// The keys of a mapping, each checked against `allowed`; records where each value is.
    mutating func fields(_ node: Node, _ field: String, allowed: [String]) throws(SpecError) -> Fields {
        guard let mapping = node.mapping else {
            if isNull(node) { throw fail(node, field.isEmpty ? "" : field, "has no value") }
            throw fail(node, field, "must be a mapping (key: value) with \(allowed.joined(separator: ", "))")
        }
        var result = Fields()
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else { throw fail(keyNode, field, "keys must be plain strings") }
            let keyField = field.isEmpty ? key : field + "." + key
            guard allowed.contains(key) else {
                var message = "unknown key \(quoted(key)) (known keys: \(allowed.joined(separator: ", ")))"
                if let near = allowed.first(where: { $0.lowercased() == key.lowercased().replacingOccurrencesOfUnderscore }) {
                    message = "unknown key \(quoted(key)); did you mean \(near)?"
                }
                throw fail(keyNode, keyField, message)
            }
            record(keyField, value)
            result.entries.append((key, value, location(value)))
        }
        return result
    }

    func required(_ map: Fields, _ key: String, in parentNode: Node, parent: String = "", hint: String? = nil) throws(SpecError) -> Node {
        if let node = map[key] { return node }
        let field = parent.isEmpty ? key : parent + "." + key
        throw SpecError(location(parentNode), field: field, "is missing" + (hint.map { ": \($0)" } ?? ""))
    }

    mutating func record(_ field: String, _ node: Node) {
        locations[field] = location(node)
    }

    func location(_ node: Node) -> SourceLocation {
        guard let mark = node.mark else { return at(line: 0) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func at(line: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: line > 0 ? 1 : 0) }

    func fail(_ node: Node, _ field: String, _ message: String) -> SpecError {
        SpecError(location(node), field: field, message)
    }

    /// Relative paths are relative to the spec's folder, so a spec and its library travel together.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : folder + "/" + path
    }

    func yamlError(_ error: YamlError) -> SpecError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return SpecError(SourceLocation(file: file, line: mark.line, column: mark.column), field: "", "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SpecError(SourceLocation(file: file, line: context.mark.line, column: context.mark.column), field: "",
                             "duplicate key \(duplicates.map(quoted).joined(separator: ", ")) in one mapping")
        default:
            return SpecError(at(line: 0), field: "", "not valid YAML: \(error)")
        }
    }
}

/// A mapping's entries in file order, looked up by key.
private struct Fields {
    var entries: [(key: String, node: Node, location: SourceLocation)] = []
    subscript(key: String) -> Node? { entries.first { $0.key == key }?.node }
    var count: Int { entries.count }
    var sortedByPosition: [(String, Node)] { entries.map { ($0.key, $0.node) } }
}

func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}

extension MediaKind {
    var displayName: String {
        switch self {
        case .bootable: return "bootable"
        case .standalone: return "stand-alone"
        case .capture: return "capture"
        case .prestaged: return "prestaged"
        }
    }
}

extension String {
    var replacingOccurrencesOfUnderscore: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "_" ? "-" : $0 }))
    }
}
