/// Where a value sits in the spec file: what an error points at, like a compiler.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The spec file as the user named it (`spec.yaml`, `media/usb.yaml`).
    public let file: String
    /// 1-based; 0 when unknown.
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `spec.yaml:12:5`, or `spec.yaml` when the position is unknown.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }
}

/// A spec problem: where, which field, and why — `spec.yaml:12:5: target.size: "17XB" is not a size …`.
/// Every check (syntax, fields, certificate, library) reports through this one type,
/// so the command line prints them all the same way.
public struct SpecError: Error, CustomStringConvertible, Sendable, Equatable {
    public let location: SourceLocation
    /// The field's path in the spec (`target.size`, `extra-packages[2]`), or "" for the file itself.
    public let field: String
    public let message: String

    public init(_ location: SourceLocation, field: String, _ message: String) {
        self.location = location
        self.field = field
        self.message = message
    }

    public var description: String { describe(location, field, message) }
}

/// A warning about a spec that is valid but probably not what the admin wants
/// (a label the USB stick will truncate). Printed on stderr; never fatal.
public struct SpecWarning: Sendable, Equatable, CustomStringConvertible {
    public let location: SourceLocation
    public let field: String
    public let message: String

    public init(_ location: SourceLocation, field: String, _ message: String) {
        self.location = location
        self.field = field
        self.message = message
    }

    public var description: String { describe(location, field, message, severity: "warning: ") }
}

/// `spec.yaml:12:5: [warning: ]field: message`, the one shape of every spec diagnostic.
func describe(_ location: SourceLocation, _ field: String, _ message: String, severity: String = "") -> String {
    field.isEmpty ? "\(location): \(severity)\(message)" : "\(location): \(severity)\(field): \(message)"
}
