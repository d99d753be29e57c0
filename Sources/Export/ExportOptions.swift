/// How a layout's bytes travel from the library to the output.
///
/// Every path writes the same bytes; they differ only in who copies them.
/// `Scripts/bench` measures them side by side; `automatic` is the winner.
public enum CopyPath: String, Sendable, CaseIterable {
    /// The measured winner for the output at hand (see `resolved(for:hashing:)`).
    case automatic = "auto"
    /// pread into a buffer, pwrite/write from it. The only path that can hash
    /// the bytes it moves, so the one used whenever the image is hashed
    /// (`--checksum`, `--verify-written`). Blob verification reads the blobs
    /// itself (`BlobVerifier`) and leaves the path free.
    case readWrite = "read-write"
    /// copy_file_range(2) from a blob into a regular file (in-kernel copy).
    case copyRange = "copy-range"
    /// sendfile(2) from a blob to any output (pipe, device, file).
    case sendfile
    /// splice(2) from a blob into a pipe (standard output only).
    case splice

    /// The path actually used: hashing the image needs its bytes in memory, so
    /// it forces read-write; a kernel path the output cannot take falls back to read-write.
    func resolved(for kind: OutputKind, hashing: Bool) -> CopyPath {
        if hashing { return .readWrite }
        switch self {
        case .automatic:
            // Measured (README, "Export", 7 alternating rounds): into a file or a
            // device, direct read/write with 4 MiB buffers beat copy_file_range
            // and sendfile by 2x or more (2.09 s against 5.17 s and 4.58 s); into
            // a pipe, splice beat read/write (6.08 s against 9.17 s), since
            // the pipe takes the blob's pages by reference instead of a copy.
            return kind == .pipe ? .splice : .readWrite
        case .copyRange: return kind == .file ? .copyRange : .sendfile
        case .splice: return kind == .pipe ? .splice : .sendfile
        case .readWrite, .sendfile: return self
        }
    }
}

/// How progress is shown on standard error.
public enum ProgressStyle: String, Sendable, CaseIterable {
    /// A bar when standard error is a terminal, nothing otherwise.
    case automatic = "auto"
    case bar
    /// A line every few seconds, for logs.
    case plain
    case none
}

public struct ExportOptions: Sendable {
    /// Check every library blob against its recorded SHA-256 while the image streams.
    public var verifyBlobs = true
    /// Write `<output>.sha256` (sha256sum format) beside a file output.
    public var writeChecksumFile = false
    /// Read the written output back and compare its SHA-256 with the stream's.
    public var verifyWritten = false
    /// Write to a block device that is not removable.
    public var force = false
    public var progress: ProgressStyle = .automatic
    public var copyPath: CopyPath = .automatic
    /// Bytes per buffer of the ring: per read and per write; the writer and
    /// the image's hasher each go through the buffers at their own pace.
    public var bufferSize = 4 << 20
    /// Buffers in flight between the reading thread and the writer (and the
    /// image's hasher): most of the memory an export holds, whatever the image size. Measured
    /// with `Scripts/bench export`: 4 x 4 MiB as fast as 8 x 4 MiB, 8 x 1 MiB about 5 % slower.
    public var bufferCount = 4
    /// Write a file or device around the page cache (O_DIRECT) where it allows;
    /// off only to measure the difference (`Scripts/bench export`).
    public var directWrites = true

    public init() {}

    /// The image's SHA-256 is computed only when a checksum file or a read-back
    /// needs it: it is a second SHA-256 pass over every byte, on one thread
    /// (the blob checks already hash each library byte once), and it would be
    /// most of the time of a default export (README, "Benchmarks"). Without
    /// it, the kernel copy paths can run.
    public var hashImage: Bool { writeChecksumFile || verifyWritten }
}
