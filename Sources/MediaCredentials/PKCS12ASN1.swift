import SwiftASN1

/// The object identifiers of PKCS#12 (RFC 7292), PKCS#5 (RFC 8018) and the
/// algorithms they name, with the names errors use.
enum OID {
    static let data: ASN1ObjectIdentifier = "1.2.840.113549.1.7.1"
    static let encryptedData: ASN1ObjectIdentifier = "1.2.840.113549.1.7.6"

    static let keyBag: ASN1ObjectIdentifier = "1.2.840.113549.1.12.10.1.1"
    static let pkcs8ShroudedKeyBag: ASN1ObjectIdentifier = "1.2.840.113549.1.12.10.1.2"
    static let certBag: ASN1ObjectIdentifier = "1.2.840.113549.1.12.10.1.3"
    static let safeContentsBag: ASN1ObjectIdentifier = "1.2.840.113549.1.12.10.1.6"
    static let x509Certificate: ASN1ObjectIdentifier = "1.2.840.113549.1.9.22.1"
    static let friendlyName: ASN1ObjectIdentifier = "1.2.840.113549.1.9.20"
    static let localKeyID: ASN1ObjectIdentifier = "1.2.840.113549.1.9.21"

    static let pbes2: ASN1ObjectIdentifier = "1.2.840.113549.1.5.13"
    static let pbkdf2: ASN1ObjectIdentifier = "1.2.840.113549.1.5.12"
    static let pbmac1: ASN1ObjectIdentifier = "1.2.840.113549.1.5.14"
    static let hmacWithSHA1: ASN1ObjectIdentifier = "1.2.840.113549.2.7"
    static let hmacWithSHA224: ASN1ObjectIdentifier = "1.2.840.113549.2.8"
    static let hmacWithSHA256: ASN1ObjectIdentifier = "1.2.840.113549.2.9"
    static let hmacWithSHA384: ASN1ObjectIdentifier = "1.2.840.113549.2.10"
    static let hmacWithSHA512: ASN1ObjectIdentifier = "1.2.840.113549.2.11"
    static let aes128CBC: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.1.2"
    static let aes192CBC: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.1.22"
    static let aes256CBC: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.1.42"
    static let desEDE3CBC: ASN1ObjectIdentifier = "1.2.840.113549.3.7"

    static let sha1: ASN1ObjectIdentifier = "1.3.14.3.2.26"
    static let sha256: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.2.1"
    static let sha384: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.2.2"
    static let sha512: ASN1ObjectIdentifier = "2.16.840.1.101.3.4.2.3"

    static let pbeWithSHAAnd128BitRC4: ASN1ObjectIdentifier = "1.2.840.113549.1.12.1.1"
    static let pbeWithSHAAnd40BitRC4: ASN1ObjectIdentifier = "1.2.840.113549.1.12.1.2"
    static let pbeWithSHAAnd3KeyTripleDESCBC: ASN1ObjectIdentifier = "1.2.840.113549.1.12.1.3"
    static let pbeWithSHAAnd2KeyTripleDESCBC: ASN1ObjectIdentifier = "1.2.840.113549.1.12.1.4"
    static let pbeWithSHAAnd128BitRC2CBC: ASN1ObjectIdentifier = "1.2.840.113549.1.12.1.5"
    static let pbeWithSHAAnd40BitRC2CBC: ASN1ObjectIdentifier = "1.2.840.113549.1.12.1.6"
    static let pbeWithMD5AndDESCBC: ASN1ObjectIdentifier = "1.2.840.113549.1.5.3"
    static let pbeWithSHA1AndDESCBC: ASN1ObjectIdentifier = "1.2.840.113549.1.5.10"

    static let names: [ASN1ObjectIdentifier: String] = [
        data: "data", encryptedData: "encryptedData",
        "1.2.840.113549.1.7.2": "signedData", "1.2.840.113549.1.7.3": "envelopedData",
        keyBag: "keyBag", pkcs8ShroudedKeyBag: "pkcs8ShroudedKeyBag", certBag: "certBag",
        "1.2.840.113549.1.12.10.1.4": "crlBag", "1.2.840.113549.1.12.10.1.5": "secretBag",
        safeContentsBag: "safeContentsBag", x509Certificate: "x509Certificate",
        "1.2.840.113549.1.9.22.2": "sdsiCertificate",
        pbes2: "PBES2", pbkdf2: "PBKDF2", pbmac1: "PBMAC1",
        hmacWithSHA1: "hmacWithSHA1", hmacWithSHA224: "hmacWithSHA224", hmacWithSHA256: "hmacWithSHA256",
        hmacWithSHA384: "hmacWithSHA384", hmacWithSHA512: "hmacWithSHA512",
        aes128CBC: "aes128-CBC", aes192CBC: "aes192-CBC", aes256CBC: "aes256-CBC", desEDE3CBC: "des-ede3-cbc",
        "1.3.14.3.2.7": "desCBC", "1.2.840.113549.3.2": "rc2CBC",
        "2.16.840.1.101.3.4.1.6": "aes128-GCM", "2.16.840.1.101.3.4.1.46": "aes256-GCM",
        "1.2.643.7.1.1.5.2.2": "kuznyechik-CTR-ACPKM",
        "1.3.6.1.4.1.11591.4.11": "scrypt",
        sha1: "SHA-1", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512",
        "2.16.840.1.101.3.4.2.4": "SHA-224", "1.2.840.113549.2.5": "MD5", "1.2.840.113549.2.2": "MD2",
        pbeWithSHAAnd128BitRC4: "pbeWithSHAAnd128BitRC4", pbeWithSHAAnd40BitRC4: "pbeWithSHAAnd40BitRC4",
        pbeWithSHAAnd3KeyTripleDESCBC: "pbeWithSHAAnd3-KeyTripleDES-CBC",
        pbeWithSHAAnd2KeyTripleDESCBC: "pbeWithSHAAnd2-KeyTripleDES-CBC",
        pbeWithSHAAnd128BitRC2CBC: "pbeWithSHAAnd128BitRC2-CBC",
        pbeWithSHAAnd40BitRC2CBC: "pbeWithSHAAnd40BitRC2-CBC",
        pbeWithMD5AndDESCBC: "pbeWithMD5AndDES-CBC", pbeWithSHA1AndDESCBC: "pbeWithSHA1AndDES-CBC",
        "1.2.840.113549.1.5.6": "pbeWithMD5AndRC2-CBC", "1.2.840.113549.1.5.11": "pbeWithSHA1AndRC2-CBC",
    ]

    /// "name (OID)" or, for an OID not in the table, "unknown algorithm (OID)".
    static func describe(_ oid: ASN1ObjectIdentifier) -> String {
        "\(names[oid] ?? "unknown algorithm") (\(oid))"
    }
}

/// A structural fault found while reading; `PKCS12.decode` turns it into a
/// `CredentialError` naming the source. `what` names the field, never its bytes.
struct Malformed: Error {
    let what: String
}

/// Small readers over swift-asn1's nodes, lenient where BER is (indefinite
/// lengths, constructed OCTET STRINGs as Windows and Java write them) and
/// strict about the shape: every fault names the field it was reading.
enum ASN1Read {
    static let contextZero = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    static func children(_ node: ASN1Node, _ identifier: ASN1Identifier, _ what: String) throws -> [ASN1Node] {
        guard node.identifier == identifier, case .constructed(let collection) = node.content else {
            throw Malformed(what: what)
        }
        return Array(collection)
    }

    static func sequence(_ node: ASN1Node, _ what: String) throws -> [ASN1Node] {
        try children(node, .sequence, what)
    }

    static func set(_ node: ASN1Node, _ what: String) throws -> [ASN1Node] {
        try children(node, .set, what)
    }

    /// The one node inside an `[n] EXPLICIT` wrapper.
    static func explicit(_ node: ASN1Node, tag: UInt = 0, _ what: String) throws -> ASN1Node {
        let nodes = try children(node, ASN1Identifier(tagWithNumber: tag, tagClass: .contextSpecific), what)
        guard nodes.count == 1 else { throw Malformed(what: what) }
        return nodes[0]
    }

    static func oid(_ node: ASN1Node, _ what: String) throws -> ASN1ObjectIdentifier {
        do {
            return try ASN1ObjectIdentifier(berEncoded: node)
        } catch {
            throw Malformed(what: what)
        }
    }

    static func integer(_ node: ASN1Node, _ what: String) throws -> Int {
        do {
            return try Int(berEncoded: node)
        } catch {
            throw Malformed(what: what)
        }
    }

    /// The content of an OCTET STRING (with the given tag), primitive or
    /// constructed of OCTET STRING segments (BER).
    static func octets(_ node: ASN1Node, _ identifier: ASN1Identifier = .octetString, _ what: String) throws -> [UInt8] {
        guard node.identifier == identifier else { throw Malformed(what: what) }
        switch node.content {
        case .primitive(let bytes):
            return Array(bytes)
        case .constructed(let segments):
            var joined: [UInt8] = []
            for segment in segments {
                joined += try octets(segment, .octetString, what)
            }
            return joined
        }
    }

    /// An AlgorithmIdentifier: its OID and its parameters, if any.
    static func algorithm(_ node: ASN1Node, _ what: String) throws -> (ASN1ObjectIdentifier, ASN1Node?) {
        let fields = try sequence(node, what)
        guard fields.count == 1 || fields.count == 2 else { throw Malformed(what: what) }
        return (try oid(fields[0], what), fields.count == 2 ? fields[1] : nil)
    }
}

/// DER writers for the few shapes PKCS#12 repeats.
enum ASN1Write {
    static let null: [UInt8] = [0x05, 0x00]

    /// SEQUENCE { oid, NULL } — how OpenSSL writes digest and HMAC algorithms.
    static func algorithmWithNull(_ oid: ASN1ObjectIdentifier, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            coder.serializeRawBytes(null)
        }
    }

    static func octetString(_ bytes: [UInt8], into coder: inout DER.Serializer) throws {
        try coder.serialize(ASN1OctetString(contentBytes: bytes[...]))
    }

    /// A DER SET OF from already encoded elements, sorted as DER requires.
    static func setOf(encoded elements: [[UInt8]], into coder: inout DER.Serializer) {
        let sorted = elements.sorted { $0.lexicographicallyPrecedes($1) }
        coder.appendConstructedNode(identifier: .set) { coder in
            for element in sorted { coder.serializeRawBytes(element) }
        }
    }

    static func encoded(_ body: (inout DER.Serializer) throws -> Void) rethrows -> [UInt8] {
        var coder = DER.Serializer()
        try body(&coder)
        return coder.serializedBytes
    }
}
