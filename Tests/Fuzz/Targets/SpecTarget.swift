import MediaSpec

extension FuzzTarget {
    /// The media spec (YAML through Yams, then every field's check). Relative
    /// paths resolve under a folder that does not exist: parsing reads no file.
    static let spec = FuzzTarget(name: "spec") { bytes in
        _ = try? SpecParser.parse(bytes, path: "fuzz.yaml", folder: "/nonexistent-mediafs-fuzz")
    }
}
