import MediaSpec

/// The media certificate with its private key as a DER PKCS#12 (`_SMSTSMediaPFX`).
enum MediaCertificateFile {
    /// The PFX's password: the first 31 characters of `_SMSMediaGuid` as stored (Configuration Manager's rule).
    static func password(mediaGuidVariable: String) -> String { String(mediaGuidVariable.prefix(31)) }

    static func make(spec: MediaSpec, certificate: CertificateFacts?, secrets: ResolvedSecrets, mediaGuidVariable: String) throws -> [UInt8]? {
        nil  // made with MediaCredentials once that module lands
    }
}
