import MediaData
import SystemIO
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

/// `SMS/data/Variables.dat` and stand-alone `SMS/data/Policy.xml`: their text in
/// Configuration Manager's encrypted envelope (`MediaDataEnvelope`, one encoder for both).
enum MediaDataFiles {
    /// Variables.dat opens with the media password, else the published default one.
    static func variables(_ variables: MediaVariables, password: String?, cipher: MediaDataCipher) throws -> [UInt8] {
        try MediaDataEnvelope.encrypt(MediaVariableList.encode(variables.sorted), password: password ?? MediaDataEnvelope.defaultPassword,
                                      cipher: cipher)
    }

    /// Policy.xml opens with the media password, else the `_SMSMediaGuid` value.
    static func policy(_ text: String, password: String?, mediaGuidVariable: String, cipher: MediaDataCipher) throws -> [UInt8] {
        try MediaDataEnvelope.encrypt(MediaDataText.encode(text), password: password ?? mediaGuidVariable, cipher: cipher)
    }
}

