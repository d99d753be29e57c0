// Debian's OpenSSL 3 libcrypto (libssl-dev), used by MediaCredentials only for
// the legacy PKCS#12 ciphers swift-crypto does not have (3DES, RC2).
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
