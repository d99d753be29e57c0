import SwiftASN1

/// mediafs's choices for the PKCS#12 files it writes, kept in one place.
///
/// `PKCS12.encode` writes what OpenSSL 3's `openssl pkcs12 -export` writes by
/// default, except that nothing is random:
///
/// - PFX version 3; the AuthenticatedSafe holds two ContentInfos in OpenSSL's
///   order: first an `encryptedData` with the certificate bags, then a `data`
///   with one `pkcs8ShroudedKeyBag`.
/// - Both are encrypted with PBES2 (RFC 8018): PBKDF2 with HMAC-SHA256
///   (`hmacWithSHA256` with a NULL parameter), an 8-byte salt, 2048
///   iterations, no keyLength field; AES-256-CBC with a 16-byte IV, PKCS#7
///   padding. The PBKDF2 password is the password's UTF-8 bytes (as OpenSSL 3).
/// - The MAC: HMAC-SHA256 over the AuthenticatedSafe, its key from the PKCS#12
///   KDF (RFC 7292 appendix B, ID 3, SHA-256) of the password as a BMPString
///   (UTF-16BE plus a 2-byte NUL), an 8-byte salt, 2048 iterations; the digest
///   algorithm written as `sha256` with a NULL parameter.
/// - Bag attributes: the certificate that matches the key and the key bag both
///   carry `localKeyID` = SHA-1 of that certificate's DER (as OpenSSL's
///   `PKCS12_create`); `friendlyName` (a BMPString) only when the caller gives
///   one. Other certificates (a CA chain) carry no attributes.
/// - Salts and IVs: the first bytes of SHA-256(seed ‖ label), one label per
///   use (`saltLabels`/`ivLabels` below), so the same certificates, key,
///   password and seed give the same bytes. The seed should be secret-free
///   but unique per media (the caller passes e.g. the media GUID).
public enum PKCS12Choices {
    /// PBKDF2 iterations for both bags, and the MAC's KDF iterations (OpenSSL 3's PKCS12_DEFAULT_ITER).
    public static let iterations = 2048
    /// PBKDF2 salt and MAC salt length in bytes (OpenSSL 3.0's PKCS5_SALT_LEN / PKCS12_SALT_LEN).
    public static let saltLength = 8
    /// AES-256-CBC IV length.
    public static let ivLength = 16
    /// The labels appended to the seed before hashing, one per salt or IV.
    public static let certificateSafeSaltLabel = "mediafs pkcs12 certificate safe salt"
    public static let certificateSafeIVLabel = "mediafs pkcs12 certificate safe iv"
    public static let keyBagSaltLabel = "mediafs pkcs12 key bag salt"
    public static let keyBagIVLabel = "mediafs pkcs12 key bag iv"
    public static let macSaltLabel = "mediafs pkcs12 mac salt"

    /// Largest iteration count `PKCS12.decode` accepts, for the MAC and each
    /// bag (a damaged or hostile file must not keep us busy for minutes):
    /// Windows and OpenSSL write 2000–2048, Java 10 000–100 000.
    public static let maximumIterations = 1_000_000
}
