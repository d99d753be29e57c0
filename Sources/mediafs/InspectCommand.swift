import ArgumentParser
import Foundation
import MediaCredentials
import MediaData
import MediaTree
import SystemIO

/// `mediafs inspect PATH`: opens the SMS/data files of a media (made by mediafs or by
/// Configuration Manager: both follow the published envelope) and prints what they hold.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the variables and certificate on a media (SMS/data/Variables.dat, Policy.xml).",
        discussion: """
            PATH is a media root (a mounted stick, a mounted or extracted ISO, a mediafs mount) or one \
            Variables.dat or Policy.xml. The password comes from --password-file, else the environment \
            variable \(InspectCommand.passwordVariable), else the published default of media without one \
            (Policy.xml: else the media GUID). Secrets (the media certificate's PFX, variables whose name \
            says password, key or secret) are masked unless --show-secrets; the PFX is shown as its \
            certificate's subject, issuer, dates and key. A wrong password or a damaged file: one line, exit 1.
            """)

    static let passwordVariable = "MEDIAFS_MEDIA_PASSWORD"

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    @Argument(help: "A media root, or one Variables.dat or Policy.xml.")
    var path: String

    @Option(name: .long, help: "A file holding the media password (one trailing newline is dropped).")
    var passwordFile: String?

    @Flag(name: .long, help: "Print secret values in clear.")
    var showSecrets = false

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        try Console.run {
            let password = try givenPassword()
            let report = try MediaInspection.inspect(path: path, password: password, showSecrets: showSecrets)
            let text = format == .json ? report.json : report.text
            try Console.standardOutput.write(Array(text.utf8))
        }
    }

    /// The media password given, nil when none is (the default then applies).
    func givenPassword() throws -> String? {
        if let passwordFile {
            let bytes: [UInt8]
            do { bytes = try FileSystem.readFile(passwordFile) } catch {
                throw ValidationError("--password-file: cannot read \(passwordFile): \(error)")
            }
            var text = String(decoding: bytes, as: UTF8.self)
            if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
            guard !text.isEmpty else { throw ValidationError("--password-file: \(passwordFile) is empty") }
            return text
        }
        if let value = FileSystem.environment(InspectCommand.passwordVariable), !value.isEmpty { return value }
        return nil
    }
}

/// What `inspect` found, printed as text or JSON.
struct MediaInspection {
    struct Variable {
        let name: String
        let value: String
        let masked: Bool
        /// `_SMSTSMediaPFX`: what its certificate is, or why it cannot be read.
        let certificate: [(String, String)]?
    }

    var root: String?
    var variablesFile: String?
    var cipher: MediaDataCipher?
    var passwordKind = "default"
    var label: String?
    var variables: [Variable] = []
    var policyFile: String?
    var policyText: String?
    var policyShown = false

    static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["PASSWORD", "PFX", "SECRET", "KEY", "_SMSTSRESERVED"].contains { upper.contains($0) } && upper != "_SMSTSPUBLICROOTKEY"
    }

    static func inspect(path: String, password: String?, showSecrets: Bool) throws -> MediaInspection {
        var report = MediaInspection()
        report.passwordKind = password == nil ? "default" : "given"
        var variablesPath: String?
        var policyPath: String?
        if FileSystem.isDirectory(path) {
            report.root = path
            guard let data = find(["SMS", "data"], in: path) else {
                throw ValidationError("\(path): no SMS/data folder: not a task sequence media root")
            }
            variablesPath = find(["Variables.dat"], in: data)
            policyPath = find(["Policy.xml"], in: data)
            guard variablesPath != nil else { throw ValidationError("\(data): no Variables.dat") }
            if let labelFile = find(["MediaLabel.txt"], in: path), let bytes = try? FileSystem.readFile(labelFile) {
                let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                if line.lowercased().hasPrefix("label=") { report.label = String(line.dropFirst(6)) }
            }
        } else if path.split(separator: "/").last?.lowercased() == "policy.xml" {
            policyPath = path
            let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            variablesPath = find(["Variables.dat"], in: folder)
        } else {
            variablesPath = path
        }

        var mediaGuid: String?
        if let variablesPath {
            report.variablesFile = variablesPath
            let bytes = try read(variablesPath)
            let (plaintext, cipher) = try MediaDataEnvelope.decrypt(bytes, password: password ?? MediaDataEnvelope.defaultPassword, source: variablesPath)
            report.cipher = cipher
            let list = try MediaVariableList.decode(plaintext, source: variablesPath)
            mediaGuid = list.variables.first { $0.name.uppercased() == "_SMSMEDIAGUID" }?.value
            for (name, value) in list.variables {
                var certificate: [(String, String)]?
                if name.uppercased() == "_SMSTSMEDIAPFX" {
                    certificate = PFXSummary.describe(hex: value, mediaGuid: mediaGuid)
                }
                report.variables.append(Variable(name: name, value: value, masked: isSecret(name) && !showSecrets, certificate: certificate))
            }
        }
        if let policyPath {
            report.policyFile = policyPath
            guard let key = password ?? mediaGuid else {
                throw ValidationError("\(policyPath): opens with the media password or the media GUID; give --password-file, or keep Variables.dat beside it")
            }
            let (plaintext, cipher) = try MediaDataEnvelope.decrypt(try read(policyPath), password: key, source: policyPath)
            if report.cipher == nil { report.cipher = cipher }
            report.policyText = try MediaDataText.decode(plaintext, source: policyPath)
            report.policyShown = showSecrets
        }
        return report
    }

    static func read(_ path: String) throws -> [UInt8] {
        do { return try FileSystem.readFile(path) } catch { throw ValidationError("cannot read \(path): \(error)") }
    }

    /// `parts` under `folder`, each name matched ignoring case (an ISO mounted without Joliet shows lower case).
    static func find(_ parts: [String], in folder: String) -> String? {
        var current = folder
        for part in parts {
            guard let entries = try? FileSystem.listDirectory(current),
                  let match = entries.first(where: { $0.name == part }) ?? entries.first(where: { $0.name.lowercased() == part.lowercased() }) else { return nil }
            current += (current.hasSuffix("/") ? "" : "/") + match.name
        }
        return current
    }

    var mediaType: String? { variables.first { $0.name == "_SMSTSMediaType" }?.value }

    var text: String {
        var lines: [String] = []
        if let root { lines.append("media: \(root)") }
        if let mediaType { lines.append("media type: \(mediaType)") }
        if let label { lines.append("label: \(label)") }
        if let variablesFile {
            lines.append("variables: \(variablesFile) (\(cipherName), opened with the \(passwordKind) password)")
            for v in variables {
                if let certificate = v.certificate {
                    lines.append("  \(v.name) = \(v.masked ? "(PKCS#12, \(v.value.count / 2) bytes, masked)" : v.value)")
                    for (key, value) in certificate { lines.append("      \(key): \(value)") }
                } else {
                    lines.append("  \(v.name) = \(v.masked ? "(secret, \(v.value.count) characters; --show-secrets prints it)" : v.value)")
                }
            }
        }
        if let policyFile, let policyText {
            lines.append("policy: \(policyFile) (\(policyText.count) characters\(policyShown ? "" : "; --show-secrets prints it"))")
            if policyShown { lines += policyText.split(whereSeparator: \.isNewline).map { "  " + $0 } }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var cipherName: String { cipher == .aes256 ? "AES-256" : "AES-128" }

    var json: String {
        let j = TreeManifest.json
        var fields: [String] = []
        if let root { fields.append("\"media\":\(j(root))") }
        if let mediaType { fields.append("\"mediaType\":\(j(mediaType))") }
        if let label { fields.append("\"label\":\(j(label))") }
        if let cipher { fields.append("\"cipher\":\(j(cipher.rawValue))") }
        fields.append("\"password\":\(j(passwordKind))")
        if let variablesFile {
            fields.append("\"variablesFile\":\(j(variablesFile))")
            let items = variables.map { v -> String in
                var item = "{\"name\":\(j(v.name))," + (v.masked ? "\"masked\":true,\"length\":\(v.value.count)" : "\"value\":\(j(v.value))")
                if let certificate = v.certificate {
                    item += ",\"certificate\":{" + certificate.map { "\(j($0.0)):\(j($0.1))" }.joined(separator: ",") + "}"
                }
                return item + "}"
            }
            fields.append("\"variables\":[" + items.joined(separator: ",") + "]")
        }
        if let policyFile, let policyText {
            fields.append("\"policy\":{\"file\":\(j(policyFile)),\"characters\":\(policyText.count)" + (policyShown ? ",\"text\":\(j(policyText))" : "") + "}")
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }
}

/// The media certificate in `_SMSTSMediaPFX`, described without its private key.
enum PFXSummary {
    /// Opened with the first 31 characters of `_SMSMediaGuid` (Configuration Manager's rule).
    static func describe(hex: String, mediaGuid: String?) -> [(String, String)] {
        guard let der = bytes(hex: hex) else { return [("error", "the value is not hexadecimal")] }
        guard let mediaGuid else { return [("error", "no _SMSMediaGuid: the PFX password is unknown")] }
        do {
            let contents = try PKCS12.decode(der, password: String(mediaGuid.prefix(31)), source: "_SMSTSMediaPFX")
            guard let first = contents.certificates.first else { return [("error", "the PFX holds no certificate")] }
            var leaf = try CertificateSummary(der: first, source: "_SMSTSMediaPFX")
            if let key = contents.privateKeyPKCS8 {
                for der in contents.certificates {
                    let summary = try CertificateSummary(der: der, source: "_SMSTSMediaPFX")
                    if summary.matches(privateKeyPKCS8: key) { leaf = summary; break }
                }
            }
            return [("subject", leaf.subject), ("issuer", leaf.issuer),
                    ("valid from", CivilTime.iso8601(leaf.notBefore)), ("valid to", CivilTime.iso8601(leaf.notAfter)),
                    ("key", leaf.keyDescription), ("private key", contents.privateKeyPKCS8 == nil ? "no" : "yes"),
                    ("client authentication", leaf.hasClientAuthentication ? "yes" : "no"),
                    ("serial number", leaf.serialNumberHex), ("certificates", String(contents.certificates.count))]
        } catch {
            return [("error", String(describing: error))]
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x37
            case 0x61...0x66: return c - 0x57
            default: return nil
            }
        }
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let h = value(digits[i]), let l = value(digits[i + 1]) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }
}
