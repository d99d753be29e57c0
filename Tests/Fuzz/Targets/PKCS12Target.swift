import MediaCredentials

extension FuzzTarget {
    /// A PFX given as `certificate.pki.file` (`PKCS12.decode`): BER, the MAC, PBES2
    /// and the legacy PKCS#12 ciphers, the bags. The seeds are under the password
    /// `fuzz`, some without a MAC and some unencrypted, so that mutations reach
    /// past the MAC into the bags and the ciphers.
    static let pkcs12 = FuzzTarget(name: "pkcs12") { bytes in
        guard let contents = try? PKCS12.decode(bytes, password: "fuzz", source: "fuzz.pfx") else { return }
        _ = contents.certificates.count
    }
}
