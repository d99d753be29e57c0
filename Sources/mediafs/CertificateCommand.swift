import ArgumentParser
import MediaCredentials
import SystemIO

/// `mediafs certificate new-key FILE`: the private key a self-signed media certificate is made
/// for. The key is made once and named in the spec (`certificate.self-signed.key`), so the
/// same spec gives the same media, certificate included.
struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "Make the private key of a self-signed media certificate.",
        subcommands: [NewKey.self])

    struct NewKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-key",
            abstract: "Write a new RSA private key (PKCS#8 PEM) to FILE, readable by its owner only (mode 0600).",
            discussion: """
                FILE must not exist: an existing key is never overwritten (media made with it would \
                change). Name it in the spec as certificate.self-signed.key: {file: FILE}.
                """)

        @Option(name: .long, help: "The key size in bits (2048 or more).")
        var bits = 2048

        @Argument(help: "The key file to create.")
        var file: String

        func run() throws {
            try Console.run {
                guard bits >= 2048, bits <= 16384 else { throw ValidationError("--bits: \(bits) is not between 2048 and 16384") }
                if FileSystem.exists(file) {
                    throw ValidationError("\(file) exists; mediafs never overwrites a key (remove it first if you mean to replace it)")
                }
                let key = try MediaKey.generate(bits: bits)
                let out = try OpenFile(path: file, mode: .write, create: true, exclusive: true, permissions: 0o600)
                try out.write(Array(key.pemEncoded.utf8))
                try out.sync()
            }
        }
    }
}
