import Crypto
import RegionMap
import SystemIO

/// How `mediafs tree` prints a media tree.
public enum ManifestFormat: String, Sendable, CaseIterable {
    /// `size  time  path`, folders with a trailing `/` and `-` for size.
    case long
    /// Exactly what `sha256sum` prints for the tree's files: `<hex>  <path>`, so
    /// `cd MOUNT && sha256sum -c` checks a mounted tree.
    case sha256sum
    /// One JSON object: label, fingerprint, totals and every entry.
    case json
}

/// Renders a tree as a manifest, in tree order (paths sorted by UTF-8 bytes per
/// folder, parents first), into `write` in chunks — memory stays bounded for
/// trees of 100,000 files.
public enum TreeManifest {
    public static func write(_ tree: MediaTree, format: ManifestFormat,
                             to sink: (ArraySlice<UInt8>) throws -> Void) throws {
        var out = Output()
        switch format {
        case .long:
            try tree.forEachNode { path, node in
                switch node {
                case .file(let f):
                    out.append(padded(String(f.size), 14) + "  " + f.modified.description + "  " + path + "\n")
                case .directory(let d):
                    out.append(padded("-", 14) + "  " + d.modified.description + "  " + path + "/\n")
                }
                try out.flushIfFull(sink)
            }
        case .sha256sum:
            // sha256sum escapes names holding `\` or a newline; NameRules keeps both off the media.
            try tree.forEachFile { path, f in
                out.append(try sha256(of: f.source) + "  " + path + "\n")
                try out.flushIfFull(sink)
            }
        case .json:
            var files = 0
            tree.forEachFileInFolder { _, _ in files += 1 }
            out.append("{\"label\":\(json(tree.label)),\"fingerprint\":\"\(Hex.lower(tree.fingerprint))\",\"files\":\(files),\"bytes\":\(tree.totalBytes),\"entries\":[")
            var first = true
            try tree.forEachNode { path, node in
                out.append(first ? "\n" : ",\n")
                first = false
                switch node {
                case .directory(let d):
                    out.append("{\"path\":\(json(path)),\"type\":\"directory\",\"modified\":\"\(d.modified)\"}")
                case .file(let f):
                    var entry = "{\"path\":\(json(path)),\"type\":\"file\",\"size\":\(f.size),\"modified\":\"\(f.modified)\",\"attributes\":\(f.attributes.rawValue)"
                    switch f.source {
                    case .blob(let b):
                        entry += ",\"source\":\"library\""
                        if let hash = b.sha256 { entry += ",\"sha256\":\"\(hash.lowercased())\"" }
                    case .bytes(let s):
                        entry += ",\"source\":\"synthesized\",\"sha256\":\"\(Hex.lower(SHA256.hash(data: s.bytes)))\""
                    }
                    if let p = f.package { entry += ",\"package\":\(json(p))" }
                    out.append(entry + "}")
                }
                try out.flushIfFull(sink)
            }
            out.append("\n]}\n")
        }
        try out.flush(sink)
    }

    /// The lower-case SHA-256 of a file's bytes: the library's recorded hash for a
    /// blob (the exporter verifies blobs against it), else computed.
    public static func sha256(of source: ByteSource) throws -> String {
        switch source {
        case .bytes(let s):
            return Hex.lower(SHA256.hash(data: s.bytes))
        case .blob(let b):
            if let hash = b.sha256 { return hash.lowercased() }
            let file = try b.open()
            var hasher = SHA256()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var offset: UInt64 = 0
            while offset < b.size {
                let want = Int(min(UInt64(buffer.count), b.size - offset))
                let n = try buffer.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset) }
                if n == 0 { throw SystemError("read (the file is shorter than \(b.size) bytes)", path: b.path, errno: 5) }
                hasher.update(data: buffer[0..<n])
                offset += UInt64(n)
            }
            return Hex.lower(hasher.finalize())
        }
    }

    /// Output gathered into ~1 MiB chunks.
    private struct Output {
        var buffer: [UInt8] = []

        init() { buffer.reserveCapacity(1 << 20) }

        mutating func append(_ s: String) { buffer.append(contentsOf: s.utf8) }

        mutating func flushIfFull(_ sink: (ArraySlice<UInt8>) throws -> Void) throws {
            if buffer.count >= 1 << 20 { try flush(sink) }
        }

        mutating func flush(_ sink: (ArraySlice<UInt8>) throws -> Void) throws {
            if !buffer.isEmpty { try sink(buffer[...]) }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    private static func padded(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }

    /// A JSON string literal (`mediafs inspect` prints JSON with it too).
    public static func json(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + Hex.lower([0, UInt8(scalar.value)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
