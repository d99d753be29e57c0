/// The fuzz targets: every parser of outside input, each a function that takes
/// any bytes and must neither crash nor break a property it states (a broken
/// property is a `preconditionFailure`, which libFuzzer records as a crash).
///
/// Adding a target: one file here defining a `FuzzTarget`, one line in `all`,
/// and a few seed files in Tests/Fuzz/Corpus/<name>/.
public struct FuzzTarget: Sendable {
    /// The name `Scripts/fuzz NAME` and `--target=NAME` use; also the corpus folder's.
    public let name: String
    public let run: @Sendable ([UInt8]) -> Void

    public init(name: String, run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.run = run
    }

    public static let all: [FuzzTarget] = [
        .iniFile,
        .fileINI,
        .spec,
        .taskSequenceXML,
        .peHeader,
        .wim,
        .pkcs12,
        .mediaData,
        .sha1Cache,
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
