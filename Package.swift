// swift-tools-version:6.0
// mediafs: task sequence media (USB FAT32 disk images, ISO 9660 disc sets) built
// on demand from a Configuration Manager content library.
//
// The targets follow the pipeline of shared/DESIGN.md:
//   ContentLibrary → MediaSpec → MediaTree → (FATImage | ISOImage) over RegionMap
//   → MediaEngine → front ends (FUSEMount, Export) → the `mediafs` command.
// SystemIO is the one place where system calls are made.
import PackageDescription

let package = Package(
    name: "mediafs",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mediafs", targets: ["mediafs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.3.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // libfuse3 (Debian's libfuse3-dev) as a system library.
        .systemLibrary(name: "CFuse3", path: "Sources/CFuse3", pkgConfig: "fuse3",
                       providers: [.apt(["libfuse3-dev"])]),

        // openat2(2), which glibc does not wrap (a header of static inline functions).
        .systemLibrary(name: "CSystemCalls", path: "Sources/CSystemCalls"),

        // wimlib (Debian's libwim-dev) as a system library. No pkgConfig: Debian's wimlib.pc
        // requires libntfs-3g.pc and fuse.pc, which are not installed, so pkg-config fails on
        // it; the header is in /usr/include and the module map links libwim.
        .systemLibrary(name: "CWim", path: "Sources/CWim", providers: [.apt(["libwim-dev"])]),

        // Empty except in ThreadSanitizer builds, where it makes Synchronization's
        // Mutex visible to TSan on Linux (see TSanMutexHooks.c). Linked everywhere through SystemIO.
        .target(name: "TSanMutexHooks"),

        // The one place where system calls are made: typed, throwing Swift over C.
        .target(name: "SystemIO", dependencies: [
            "CSystemCalls", "TSanMutexHooks",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // 1. The content library (SCCMContentLib: PkgLib, DataLib, FileLib) and its snapshots.
        .target(name: "ContentLibrary", dependencies: [
            "SystemIO",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // 2. The media spec: the wizard's answers, parsed and validated field by field.
        .target(name: "MediaSpec", dependencies: [
            "SystemIO", "MediaCredentials",
            .product(name: "Yams", package: "Yams"),
            .product(name: "X509", package: "swift-certificates"),
        ]),

        // A reader of WIM files (boot images) over wimlib: images, XML properties, a few files' bytes.
        .target(name: "WIMArchive", dependencies: ["CWim", "SystemIO"]),

        // The engine every reader uses: layouts as sorted, gap-free lists of regions.
        .target(name: "RegionMap", dependencies: ["SystemIO"]),

        // The files Configuration Manager's clients read from the media (SMS/data):
        // the encrypted envelope of Variables.dat / Policy.xml and the variables list.
        .target(name: "MediaData", dependencies: [
            "SystemIO",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),

        // 3. The media tree: spec + snapshot → folders and files with byte sources.
        .target(name: "MediaTree", dependencies: [
            "SystemIO", "RegionMap", "ContentLibrary", "MediaSpec", "MediaData", "MediaCredentials", "WIMArchive",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
        ]),

        // 4. Image layouts: the producers of whole-disk region maps.
        .target(name: "FATImage", dependencies: ["RegionMap", "MediaTree"]),
        .target(name: "ISOImage", dependencies: ["RegionMap", "MediaTree", "FATImage"]),
        .target(name: "WIMImage", dependencies: ["SystemIO", "RegionMap", "MediaTree", "MediaData",
                                                 .product(name: "Crypto", package: "swift-crypto")]),

        // Spec file → snapshot → tree → layouts, shared by every front end.
        .target(name: "MediaEngine", dependencies: [
            "SystemIO", "ContentLibrary", "MediaSpec", "MediaTree", "RegionMap", "FATImage", "ISOImage", "WIMImage",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // 5. Front ends.
        .target(name: "FUSEMount", dependencies: [
            "CFuse3", "SystemIO", "RegionMap", "ContentLibrary", "MediaTree", "MediaEngine",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Export", dependencies: [
            "SystemIO", "RegionMap", "MediaEngine",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The media certificate: RSA key, self-signed X.509, PKCS#12 (PFX) encode/decode.
        // Debian's libcrypto only for the legacy PFX ciphers swift-crypto lacks (3DES, RC2).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "MediaCredentials", dependencies: [
            "COpenSSL",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),

        .executableTarget(name: "mediafs", dependencies: [
            "SystemIO", "ContentLibrary", "MediaSpec", "MediaTree", "RegionMap",
            "FATImage", "ISOImage", "WIMImage", "MediaEngine", "FUSEMount", "Export", "MediaData", "MediaCredentials",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], plugins: ["VersionStamp"]),
        // `mediafs --version`'s git commit, stamped before each build (Sources/mediafs/Version.swift).
        .plugin(name: "VersionStamp", capability: .buildTool()),

        .testTarget(name: "RegionMapTests", dependencies: ["RegionMap", "SystemIO"]),
        .testTarget(name: "ContentLibraryTests", dependencies: ["ContentLibrary", "SystemIO"]),
        .testTarget(name: "MediaSpecTests", dependencies: ["MediaSpec", "MediaCredentials"]),
        .testTarget(name: "MediaTreeTests", dependencies: ["MediaTree", "SystemIO", "ContentLibrary", "MediaSpec", "RegionMap", "MediaData", "MediaCredentials"]),
        .testTarget(name: "MediaDataTests", dependencies: ["MediaData"]),
        .testTarget(name: "WIMArchiveTests", dependencies: ["WIMArchive", "SystemIO"]),
        .testTarget(name: "FATImageTests", dependencies: ["FATImage", "MediaTree", "RegionMap"],
                    exclude: ["Golden"]),  // read by path (#filePath), as dosfstools keeps its xxd references
        .testTarget(name: "ISOImageTests", dependencies: ["ISOImage", "FATImage", "MediaTree", "RegionMap"]),
        .testTarget(name: "WIMImageTests", dependencies: ["WIMImage", "MediaTree", "RegionMap", "MediaEngine", "ContentLibrary", "SystemIO",
                                                          .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "MediaCredentialsTests", dependencies: ["MediaCredentials",
                                                                 .product(name: "SwiftASN1", package: "swift-asn1")]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "RegionMap", "SystemIO",
                                                        .product(name: "Crypto", package: "swift-crypto")]),

        // Fuzzing (Scripts/fuzz): the targets, the libFuzzer driver (a replayer in ordinary builds),
        // and the replay of every seed and crash input on every `swift test`.
        .target(name: "FuzzTargets", dependencies: ["ContentLibrary", "MediaSpec", "MediaTree", "WIMArchive", "MediaCredentials", "MediaData", "MediaEngine"], path: "Tests/Fuzz/Targets"),
        .executableTarget(name: "mediafs-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz/Driver"),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"], path: "Tests/Fuzz/RegressionTests"),
    ],
    swiftLanguageModes: [.v6]
)
