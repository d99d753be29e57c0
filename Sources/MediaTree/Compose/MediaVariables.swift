import SystemIO
import Crypto
import MediaSpec

/// The media variables Configuration Manager's boot program reads from
/// `SMS/data/Variables.dat`: names and values, unique ignoring case.
public struct MediaVariables: Sendable, Equatable {
    public private(set) var entries: [(name: String, value: String)] = []

    public init() {}

    public mutating func set(_ name: String, _ value: String) {
        if let i = entries.firstIndex(where: { $0.name.uppercased() == name.uppercased() }) {
            entries[i] = (name, value)
        } else {
            entries.append((name, value))
        }
    }

    public subscript(name: String) -> String? {
        entries.first { $0.name.uppercased() == name.uppercased() }?.value
    }

    /// Sorted by name (UTF-8 bytes), the order the file lists them in.
    public var sorted: [(name: String, value: String)] {
        entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public static func == (a: MediaVariables, b: MediaVariables) -> Bool {
        a.sorted.elementsEqual(b.sorted) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// THE encoding of `SMS/data/Variables.dat` — the one place that decides it,
/// so the issue that designs Configuration Manager's real encrypted format
/// replaces this type alone.
///
/// Format `mediafs-plain-1`: UTF-8 XML, CRLF line ends, not encrypted:
///
///     <?xml version="1.0" encoding="UTF-8"?>
///     <MediaVariables format="mediafs-plain-1">
///       <password algorithm="salted-sha256" salt="<32 hex>" hash="<64 hex>"/>
///       <var name="_SMSMediaGuid">6F0C…</var>
///     </MediaVariables>
///
/// The media password is never written: only `SHA-256(salt ‖ UTF-8 password)`,
/// with a 16-byte salt derived from the media GUID (so it differs per media
/// yet the file stays reproducible). That protects the password itself, not
/// the variables: anyone holding the media can read them.
public struct VariablesFileEncoder: Sendable {
    public static let formatName = "mediafs-plain-1"

    public let mediaGuid: String
    public let password: String?

    public init(mediaGuid: String, password: String?) {
        self.mediaGuid = mediaGuid
        self.password = password
    }

    public func encode(_ variables: MediaVariables) -> [UInt8] {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                     "<MediaVariables format=\"\(Self.formatName)\">"]
        if let password {
            let salt = Self.salt(mediaGuid: mediaGuid)
            lines.append("  <password algorithm=\"salted-sha256\" salt=\"\(lowerHex(salt))\" hash=\"\(lowerHex(Self.passwordHash(password, salt: salt)))\"/>")
        }
        for (name, value) in variables.sorted {
            lines.append("  <var name=\"\(xmlEscape(name))\">\(xmlEscape(value))</var>")
        }
        lines.append("</MediaVariables>")
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// 16 bytes of SHA-256("mediafs media password salt\0" ‖ media GUID).
    static func salt(mediaGuid: String) -> [UInt8] {
        Array(SHA256.hash(data: Array("mediafs media password salt\0\(mediaGuid)".utf8)).prefix(16))
    }

    public static func passwordHash(_ password: String, salt: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: salt + Array(password.utf8)))
    }
}

/// Escapes text for XML content and attribute values.
func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            if scalar.value < 0x20 && scalar != "\t" {
                out += "&#\(scalar.value);"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

func lowerHex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 { Hex.lower(bytes) }
