/// What went wrong with a key, certificate or PFX, and where.
///
/// The description names the source (a file name the caller passes) and the
/// field or algorithm at fault, e.g. `media.pfx: unsupported key encryption
/// pbeWithSHAAnd128BitRC4 (1.2.840.113549.1.12.1.1)`. It never holds a
/// password or key bytes: messages are built only from names, OIDs and sizes.
public struct CredentialError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or other origin) the caller named, e.g. `media.pfx`.
    public let source: String
    /// What is wrong, without the source.
    public let reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source): \(reason)" }

    /// The reason `PKCS12.decode` gives when the MAC does not match: the
    /// password is wrong, or the file was changed.
    public static let macMismatchReason = "wrong password or damaged file (MAC mismatch)"
}
