import WIMArchive

extension FuzzTarget {
    /// A WIM as a boot image package holds it (`WIMArchive` over wimlib): open,
    /// the image count and `<ARCH>`, the listing, and reading the small files the
    /// way the boot-image mapping does. Any bytes must give a `WIMArchiveError`
    /// or values, never a crash.
    static let wim = FuzzTarget(name: "wim") { bytes in
        guard let archive = try? WIMArchive.open(bytes: bytes, name: "fuzz.wim") else { return }
        let count = archive.imageCount
        precondition(count >= 0, "a negative image count")
        for image in 1...max(1, min(count, 2)) {
            _ = try? archive.architectureCode(image: image)
            _ = try? archive.property("NAME", image: image)
            guard let entries = try? archive.entries(under: "", image: image, recursive: true) else { continue }
            // The files BootImageWIM would read: small regular files only, as it does.
            let small = entries.filter { !$0.isDirectory && $0.size <= 64 << 10 }.prefix(8).map(\.path)
            if let read = try? archive.read(Array(small), image: image, limit: 64 << 10) {
                for (path, data) in read {
                    precondition(data.count <= 64 << 10, "read \(path) past its limit")
                }
            }
        }
        // Out-of-range images are refused, not read.
        precondition((try? archive.entries(under: "", image: count + 1, recursive: false)) == nil, "image \(count + 1) of \(count) listed")
    }
}
