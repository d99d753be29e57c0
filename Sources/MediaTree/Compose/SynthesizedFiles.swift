import ContentLibrary
import MediaData
import MediaSpec
import SystemIO

/// The small files mediafs writes onto the media. Text with CRLF line ends
/// (the media is read by Windows PE), UTF-8 without a byte-order mark.
enum SynthesizedFiles {
    static func crlf(_ lines: [String]) -> [UInt8] {
        Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    /// `MediaLabel.txt`: one line, `label=<media label>` (the wizard's file).
    static func mediaLabel(_ label: String) -> [UInt8] {
        crlf(["label=\(label)"])
    }

    /// What each media kind is called in `[MediaInfo] MediaType` and `_SMSTSMediaType`.
    /// `CaptureMedia` is mediafs's marker: what Configuration Manager writes for capture media is not published.
    static func mediaType(_ kind: MediaKind) -> String {
        switch kind {
        case .bootable: return "BootMedia"
        case .standalone: return "FullMedia"
        case .capture: return "CaptureMedia"
        case .prestaged: return "OEMMedia"
        }
    }

    /// `_SMSTSLaunchMode`: the wizard writes a USB drive after formatting it; a disc set is CD or DVD.
    static func launchMode(_ target: MediaTarget) -> String {
        switch target {
        case .usb: return "UFD+FORMAT"
        case .iso(let size): return size.isCD ? "CD" : "DVD"
        case .wim: return "HD"  // prestaged media is applied to the hard disk (CreateMedia /T:HD)
        }
    }

    /// `SMS/data/TsmBootstrap.ini`, section `[MediaInfo]`. Keys beyond MediaType,
    /// PasswordRequired and Unattended are mediafs's (the others are not published).
    static func tsmBootstrap(spec: MediaSpec, mediaGuid: String, boot: PackageContent, taskSequence: PackageContent?,
                             osImage: PackageContent? = nil, passwordRequired: Bool) -> [UInt8] {
        var lines = [
            "[MediaInfo]",
            "MediaType=\(mediaType(spec.kind))",
            "MediaGuid=\(mediaGuid)",
            "PasswordRequired=\(passwordRequired)",
            "Unattended=\(spec.unattended)",
            "MediaLabel=\(spec.label)",
            "LaunchMode=\(launchMode(spec.target))",
            "Architecture=\(spec.boot.architecture.rawValue)",
            "BootImageID=\(boot.packageID)",
            "BootImageContentID=\(boot.contentID)",
        ]
        if let ts = taskSequence {
            lines.append("TaskSequenceID=\(ts.packageID)")
            lines.append("TaskSequenceContentID=\(ts.contentID)")
        }
        if let os = osImage, let reference = spec.osImage {
            lines.append("OSImageID=\(os.packageID)")
            lines.append("OSImageContentID=\(os.contentID)")
            lines.append("OSImageIndex=\(reference.index)")
        }
        if spec.kind == .capture { lines.append("CaptureMedia=true") }
        lines.append("Generator=mediafs")
        return crlf(lines)
    }

    /// The program `autorun.inf` starts: Configuration Manager's autorun helper from the boot image.
    static func autorunProgram(_ architecture: Architecture) -> String {
        "SMS/bin/\(architecture.smsBinFolder)/TSMBAutorun.exe"
    }

    static func autorun(label: String, architecture: Architecture) -> [UInt8] {
        let program = autorunProgram(architecture).replacing("/", with: "\\")
        return crlf(["[autorun]", "open=\(program)", "icon=\(program),0", "label=\(label)"])
    }

    /// The text of `SMS/data/Policy.xml` on stand-alone media (format `mediafs-policy-1`, mediafs's own):
    /// the task sequence and every package on the media, with where each is. Encrypted by `MediaDataFiles`.
    static func policy(mediaGuid: String, packages: [MediaComposer.PlacedPackage]) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"utf-16\"?>",
                     "<Policy format=\"mediafs-policy-1\" mediaGuid=\"\(mediaGuid)\">"]
        for p in packages {
            let c = p.content
            let name = c.name.map { " name=\"\(xmlEscape($0))\"" } ?? ""
            let path = p.folder.isEmpty ? "\\" : p.folder.replacing("/", with: "\\")
            let element = p.role == .taskSequence ? "TaskSequence" : "Package"
            lines.append("  <\(element) packageID=\"\(c.packageID)\" contentID=\"\(c.contentID)\" role=\"\(p.role.rawValue)\"\(name) path=\"\(path)\" files=\"\(c.files.count)\" bytes=\"\(c.totalBytes)\"/>")
        }
        lines.append("</Policy>")
        return lines.map { $0 + "\r\n" }.joined()
    }
}

/// The media variables of a spec (names from the reference; see the README table).
struct MediaVariablesBuilder {
    let spec: MediaSpec
    /// `_SMSMediaGuid` as stored: the media GUID in braces, upper case.
    let mediaGuidVariable: String
    let boot: PackageContent
    let taskSequence: PackageContent?
    let certificate: CertificateFacts?
    /// The media certificate with its private key, DER PKCS#12 (`_SMSTSMediaPFX`).
    let pfx: [UInt8]?
    let site: SiteCertificates

    var variables: MediaVariables {
        var v = MediaVariables()
        v.set("_SMSMediaGuid", mediaGuidVariable)
        v.set("_SMSTSMediaType", SynthesizedFiles.mediaType(spec.kind))
        v.set("_SMSTSLaunchMode", SynthesizedFiles.launchMode(spec.target))
        v.set("_SMSTSBootImageID", boot.packageID)
        v.set("_SMSTSBootMediaPackageID", boot.packageID)
        if let ts = taskSequence { v.set("_SMSTSTaskSequenceID", ts.packageID) }

        if let management = spec.management {
            switch management {
            case .siteBased(let mp, _): v.set("SMSTSMP", mp.url)
            case .dynamic(let mps, _): v.set("SMSTSLocationMPs", mps.map(\.url).joined(separator: "*"))
            case .internet(let gateway, _):
                // Which variables Configuration Manager writes for internet-based media is not
                // published: mediafs's choice is the gateway as the media's management point.
                v.set("SMSTSMP", gateway.url)
                v.set("_SMSTSInternetMedia", "true")
            }
            if let code = management.siteCode { v.set("_SMSTSSiteCode", code) }
            // Custom ports are kept (the wizard is known to drop them): the first URL that gives one wins.
            let mps = management.all
            v.set("_SMSTSHTTPPort", String(mps.first { !$0.isHTTPS && $0.port != nil }?.port ?? 80))
            v.set("_SMSTSHTTPSPort", String(mps.first { $0.isHTTPS && $0.port != nil }?.port ?? 443))
        }
        if spec.kind == .bootable {
            // Values not published: mediafs's choice, 0 for HTTP (self-signed), 63 (every SSL flag) for HTTPS (PKI).
            v.set("_SMSTSIISSSLState", certificate?.kind == .pki ? "63" : "0")
            v.set("_SMSTSUseFirstCert", certificate?.kind == .pki ? "1" : "0")
            v.set("SMSTSAssignUsersMode", spec.userDeviceAffinity.assignUsersMode)
        }
        if case .enabled(let x64, let x86) = spec.unknownComputers {
            // Without the site's record GUIDs, derive stable ones from the site code (documented).
            let site = Array((spec.management?.siteCode ?? "").utf8)
            v.set("_SMSTSx64UnknownMachineGUID", x64 ?? DerivedGuid.make([Array("mediafs unknown computer x64".utf8), site]))
            v.set("_SMSTSx86UnknownMachineGUID", x86 ?? DerivedGuid.make([Array("mediafs unknown computer x86".utf8), site]))
        }
        if let pfx { v.set("_SMSTSMediaPFX", Hex.upper(pfx)) }
        if !site.rootCAs.isEmpty { v.set("_SMSTSRootCACerts", site.rootCAs.map { Hex.upper($0) }.joined(separator: "*")) }
        if let signing = site.signing { v.set("_SMSTSSiteSigningCertificate", Hex.upper(signing)) }
        if let prestart = spec.prestart {
            v.set("_SMSTSPreStartCommandLine", prestart.commandLine)
            if let p = prestart.package { v.set("_SMSTSPreStartPackageID", p.packageID) }
        }
        for variable in spec.variables { v.set(variable.name, variable.value) }
        return v
    }
}

