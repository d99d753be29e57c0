import ArgumentParser
import ContentLibrary
import Foundation
import SystemIO

/// `mediafs library init|add|list|verify`: make and inspect a content library
/// in the layout of a Configuration Manager distribution point (SCCMContentLib),
/// so mediafs is useful without a site server. All the work is in ContentLibrary.
struct LibraryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "library",
        abstract: "Create, fill and check a content library (SCCMContentLib layout).",
        subcommands: [Init.self, Add.self, List.self, Verify.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty content library (LIB/PkgLib, LIB/DataLib, LIB/FileLib).")

        @Argument(help: "The SCCMContentLib folder to create (may exist if empty).")
        var library: String

        func run() throws {
            try ContentLibrary.initialize(at: library)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the files of FOLDER as a new version of a package; print its content ID.",
            discussion: """
            Each call makes a new version (ABC00001.1, ABC00001.2, …), which becomes the \
            package's current one. Files are stored once under their SHA-256. FOLDER may hold \
            only regular files and folders (a symbolic link, device, FIFO or socket is refused, \
            and nothing is added). A reader never sees a half-added version.
            """)

        @Argument(help: "The content library (SCCMContentLib folder).")
        var library: String

        @Option(help: "Package ID: a 3-character site code and 5 hex digits, e.g. ABC00001.")
        var package: String

        @Option(help: "Display name of the package (kept from the previous version when omitted).")
        var name: String?

        @Argument(help: "The folder whose files make up the package.")
        var folder: String

        func run() throws {
            let content = try ContentLibrary(root: library).addPackage(package, name: name, from: folder)
            print(content.contentID)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List packages, their versions (* marks the current one), files and bytes.")

        @Argument(help: "The content library (SCCMContentLib folder).")
        var library: String

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(help: "text (for people) or json (for scripts: packages, their versions, content IDs, files and bytes).")
        var format: Format = .text

        func run() throws {
            let snapshot = try ContentLibrary(root: library).snapshot()
            if format == .json {
                let (text, broken) = try LibraryListing.json(snapshot)
                print(text)
                if !broken.isEmpty { throw LibraryListIncomplete(library: library, problems: broken) }
                return
            }
            var versions = 0
            var broken: [String] = []
            for packageID in snapshot.packageIDs {
                print(packageID + (snapshot.name(of: packageID).map { "  \($0)" } ?? ""))
                let current = snapshot.currentVersion(of: packageID)
                for version in snapshot.versions(of: packageID) {
                    let mark = version == current ? "*" : " "
                    let contentID = "\(packageID).\(version)"
                    // A version that cannot be read is listed as broken; the others still are.
                    do {
                        let content = try snapshot.package(contentID)
                        print("  \(mark) \(pad(content.contentID, 14)) \(leftPad(content.files.count, 8)) \(content.files.count == 1 ? "file " : "files") \(leftPad(content.totalBytes, 15)) \(content.totalBytes == 1 ? "byte" : "bytes")")
                        versions += 1
                    } catch {
                        print("  \(mark) \(pad(contentID, 14)) broken: \(error)")
                        broken.append("\(error)")
                    }
                }
            }
            for package in snapshot.brokenPackages {
                print("\(package.reference)  broken: \(package.error)")
                broken.append("\(package.error)")
            }
            print("\(counted(snapshot.packageIDs.count, "package")), \(counted(versions, "version"))" + (broken.isEmpty ? "" : ", \(broken.count) broken"))
            if !broken.isEmpty {
                throw LibraryListIncomplete(library: library, problems: broken)
            }
        }

        private func pad(_ s: String, _ width: Int) -> String {
            s + String(repeating: " ", count: max(0, width - s.count))
        }

        private func leftPad<T: BinaryInteger>(_ n: T, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: " ", count: max(0, width - s.count)) + s
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every blob; list missing, mismatched and refused blobs and broken packages (exit status 1 if any).")

        @Argument(help: "The content library (SCCMContentLib folder).")
        var library: String

        func run() throws {
            let report = try ContentLibrary(root: library).verify()
            for (kind, problems) in [("missing", report.missing), ("mismatched", report.mismatched), ("refused", report.refused)] {
                for problem in problems {
                    let users = problem.contentIDs.isEmpty ? "no content ID" : problem.contentIDs.joined(separator: ", ")
                    print("\(kind): \(problem.blobPath) (used by \(users)): \(problem.reason)")
                }
            }
            for package in report.brokenPackages {
                print("broken: \(package.reference): \(package.error)")
            }
            print("\(counted(report.blobsChecked, "blob")) checked (\(counted(report.bytesChecked, "byte"))): \(report.missing.count) missing, "
                  + "\(report.mismatched.count) mismatched, \(report.refused.count) refused, \(report.brokenPackages.count) broken packages")
            if !report.isClean {
                throw LibraryVerifyFailed(missing: report.missing.count, mismatched: report.mismatched.count,
                                          refused: report.refused.count, broken: report.brokenPackages.count, library: library)
            }
        }
    }
}

/// `library list` listed the readable packages; these could not be read (exit status 1).
struct LibraryListIncomplete: Error, CustomStringConvertible {
    let library: String
    let problems: [String]
    var description: String {
        "\(library): \(problems.count) broken (the others are listed above): " + problems.joined(separator: "; ")
    }
}

struct LibraryVerifyFailed: Error, CustomStringConvertible {
    let missing: Int
    let mismatched: Int
    let refused: Int
    let broken: Int
    let library: String
    var description: String {
        "\(library): \(missing) missing, \(mismatched) mismatched and \(refused) refused blobs, \(broken) broken packages (listed above)"
    }
}

/// `library list --format json`: the listing for scripts.
enum LibraryListing {
    struct Package: Encodable {
        let packageID: String
        let name: String?
        let currentVersion: Int?
        let versions: [Version]
    }

    /// A version that cannot be read has `broken` (the reason) and no files or bytes.
    struct Version: Encodable {
        let version: Int
        let contentID: String
        let current: Bool
        let files: Int?
        let bytes: UInt64?
        let broken: String?
    }

    /// A PkgLib entry that cannot be read as a package at all.
    struct BrokenPackage: Encodable {
        let reference: String
        let broken: String
    }

    struct Document: Encodable {
        let packages: [Package]
        let brokenPackages: [BrokenPackage]
    }

    /// The listing as JSON, and the problems (as the text listing: the command exits 1 when there are any).
    static func json(_ snapshot: LibrarySnapshot) throws -> (text: String, broken: [String]) {
        var packages: [Package] = []
        var problems: [String] = []
        for packageID in snapshot.packageIDs {
            let current = snapshot.currentVersion(of: packageID)
            var versions: [Version] = []
            for version in snapshot.versions(of: packageID) {
                let contentID = "\(packageID).\(version)"
                do {
                    let content = try snapshot.package(contentID)
                    versions.append(Version(version: Int(version), contentID: content.contentID, current: version == current,
                                            files: content.files.count, bytes: UInt64(content.totalBytes), broken: nil))
                } catch {
                    versions.append(Version(version: Int(version), contentID: contentID, current: version == current,
                                            files: nil, bytes: nil, broken: "\(error)"))
                    problems.append("\(error)")
                }
            }
            packages.append(Package(packageID: packageID, name: snapshot.name(of: packageID),
                                    currentVersion: current.map { Int($0) }, versions: versions))
        }
        let broken = snapshot.brokenPackages.map { BrokenPackage(reference: $0.reference, broken: "\($0.error)") }
        problems += broken.map(\.broken)
        return (try JSONText.encode(Document(packages: packages, brokenPackages: broken)), problems)
    }
}

/// JSON as mediafs prints it: keys sorted, indented, slashes unescaped.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
