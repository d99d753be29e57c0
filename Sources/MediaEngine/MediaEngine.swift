// Spec file → library snapshot → media tree: the one path every front end
// (tree, mount, export) takes. The image layouts (USB, ISO) hang off MediaBuild.
import ContentLibrary
import Foundation
import MediaSpec
import MediaTree

/// Loads a media spec and everything it names. Stateless: `load()` takes a new
/// library snapshot each time (a live mount calls it again when `watchPaths` change).
public struct MediaEngine: Sendable {
    public let specPath: String
    /// The process environment: secrets (`{env: NAME}`) and `SOURCE_DATE_EPOCH` come from it.
    public let environment: [String: String]
    /// "Now" for the certificate expiry check, in seconds since 1970; nil: the real clock.
    /// Only that check uses it: the media's bytes never depend on the clock.
    public let now: Int64?
    /// Whether loading stats every blob of the media's packages and refuses a
    /// missing one or one whose size is not what DataLib records, naming the
    /// file (`tree`, `export`: before any byte is written). A mount turns it
    /// off: it checks a file's blob when a reader opens the file (EIO for that
    /// file only), and the stats were a sixth of the time of mounting 100,000 files.
    public let checkBlobSizes: Bool

    public init(specPath: String, environment: [String: String], now: Int64? = nil, checkBlobSizes: Bool = true) {
        self.specPath = specPath
        self.environment = environment
        self.now = now
        self.checkBlobSizes = checkBlobSizes
    }

    /// Parses and checks the spec, opens the library, takes a snapshot and composes the tree.
    /// Errors are `SpecError`s (`spec.yaml:12:5: field: why`) or name the file at fault.
    public func load() throws -> MediaBuild {
        let spec = try SpecParser.load(path: specPath)
        let secrets = try SpecChecks.resolveSecrets(spec, environment: environment)
        let clock = now ?? Int64(Date().timeIntervalSince1970.rounded(.down))
        let certificate = try SpecChecks.certificate(spec, secrets: secrets, now: clock)
        let siteCertificates = try SpecChecks.siteCertificates(spec)
        let epoch = try sourceDateEpoch(spec)

        let snapshot: LibrarySnapshot
        do {
            snapshot = try ContentLibrary(root: spec.libraryPath).snapshot(checkBlobSizes: checkBlobSizes)
        } catch let error as ContentLibraryError {
            throw spec.error("library", error.description)
        }
        let composed = try MediaComposer(spec: spec, snapshot: snapshot, secrets: secrets,
                                         certificate: certificate, sourceDateEpoch: epoch,
                                         siteCertificates: siteCertificates).compose()
        // A broken package the media used has failed the composition above; the
        // rest are not on the media, and only warned about.
        let unusedBroken = snapshot.brokenPackages.map {
            spec.warning("library", "package \($0.reference) is broken and left out (the media does not use it): \($0.error)").description
        }
        return MediaBuild(spec: spec, snapshot: snapshot, composed: composed,
                          warnings: spec.warnings.map(\.description) + composed.warnings + unusedBroken,
                          sha1Cache: SHA1Cache.forEnvironment(environment))
    }

    /// The library folders whose change means a new snapshot: PkgLib (a new package
    /// version is published there last) and DataLib. Empty when the spec does not parse.
    public var watchPaths: [String] {
        guard let spec = try? SpecParser.load(path: specPath) else { return [] }
        return MediaBuild.watchPaths(library: spec.libraryPath)
    }

    /// `SOURCE_DATE_EPOCH` (reproducible-builds.org): decimal seconds since 1970.
    func sourceDateEpoch(_ spec: MediaSpec) throws -> Int64? {
        guard let text = environment["SOURCE_DATE_EPOCH"] else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw SpecError(SourceLocation(file: "environment", line: 0, column: 0), field: "SOURCE_DATE_EPOCH",
                            "\"\(text)\" is not a number of seconds since 1970-01-01")
        }
        return value
    }
}

/// One loaded media: the spec, the snapshot it was composed from, and the tree.
/// Immutable, so readers can share it across threads while a newer one is loaded.
public final class MediaBuild: Sendable {
    public let spec: MediaSpec
    public let snapshot: LibrarySnapshot
    public let tree: MediaTree
    /// Compiler-style lines (`spec.yaml:3:8: warning: label: …`) for stderr.
    public let warnings: [String]
    /// The media GUID (`_SMSMediaGuid`), derived from the spec and the content IDs.
    public let mediaGuid: String
    /// Every package on the media, with its role and folder.
    public let packages: [MediaComposer.PlacedPackage]
    /// Where the SHA-1s of blobs are kept (WIM images); nil: nowhere (no HOME).
    public let sha1Cache: SHA1Cache?

    init(spec: MediaSpec, snapshot: LibrarySnapshot, composed: MediaComposer.Result, warnings: [String],
         sha1Cache: SHA1Cache? = nil) {
        self.sha1Cache = sha1Cache
        self.spec = spec
        self.snapshot = snapshot
        self.tree = composed.tree
        self.mediaGuid = composed.mediaGuid
        self.packages = composed.packages
        self.warnings = warnings
    }

    public var watchPaths: [String] { MediaBuild.watchPaths(library: spec.libraryPath) }

    static func watchPaths(library: String) -> [String] {
        [library + "/PkgLib", library + "/DataLib"]
    }
}
