import COpenSSL

/// The legacy PKCS#12 ciphers swift-crypto does not have — Triple DES and RC2 —
/// decrypted with Debian's OpenSSL 3 libcrypto. The one file that calls it.
///
/// RC2 lives in OpenSSL 3's "legacy" provider; it is loaded once into a
/// library context of our own, so the process's default context is untouched.
enum LegacyCipher {
    case tripleDESCBC
    case rc2CBC40
    case rc2CBC128

    /// OpenSSL's name for the cipher.
    var openSSLName: String {
        switch self {
        case .tripleDESCBC: "DES-EDE3-CBC"
        case .rc2CBC40: "RC2-40-CBC"
        case .rc2CBC128: "RC2-CBC"
        }
    }

    var keyLength: Int {
        switch self {
        case .tripleDESCBC: 24
        case .rc2CBC40: 5
        case .rc2CBC128: 16
        }
    }

    var ivLength: Int { 8 }

    enum Failure: Error {
        /// The cipher is not available (RC2 without OpenSSL's legacy provider).
        case unavailable
        /// Bad padding or a length that is not a multiple of the block size.
        case decryptionFailed
    }

    /// CBC decryption with PKCS#7 padding removed.
    func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == keyLength, iv.count == ivLength else { throw .decryptionFailed }
        let context = OpenSSLContext.shared
        guard let cipher = EVP_CIPHER_fetch(context.library, openSSLName, nil) else {
            ERR_clear_error()
            throw .unavailable
        }
        defer { EVP_CIPHER_free(cipher) }
        guard let cipherContext = EVP_CIPHER_CTX_new() else { throw .decryptionFailed }
        defer { EVP_CIPHER_CTX_free(cipherContext) }

        var output = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var written: Int32 = 0
        var finalWritten: Int32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            guard let outBase = out.baseAddress,
                  EVP_DecryptInit_ex2(cipherContext, cipher, key, iv, nil) == 1,
                  ciphertext.count < Int(Int32.max),
                  EVP_DecryptUpdate(cipherContext, outBase, &written, ciphertext, Int32(ciphertext.count)) == 1,
                  EVP_DecryptFinal_ex(cipherContext, outBase + Int(written), &finalWritten) == 1
            else { return false }
            return true
        }
        guard ok else {
            ERR_clear_error()
            throw .decryptionFailed
        }
        return Array(output.prefix(Int(written) + Int(finalWritten)))
    }
}

/// OpenSSL's library context with the default and legacy providers, made once
/// for the life of the process (never freed: the providers stay loaded).
private final class OpenSSLContext: @unchecked Sendable {
    static let shared = OpenSSLContext()
    let library: OpaquePointer?

    private init() {
        library = OSSL_LIB_CTX_new()
        _ = OSSL_PROVIDER_load(library, "default")
        _ = OSSL_PROVIDER_load(library, "legacy")
        ERR_clear_error()
    }
}
