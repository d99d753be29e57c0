import Crypto
import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import WIMImage

/// A small WIM checked byte for byte (as the FAT and ISO producers' goldens):
/// header, the data blobs in order, the metadata (security block, dentries with
/// Unicode and short names, attributes, times), the blob table and the UTF-16
/// XML with every descriptive field (an `&`, `<`, `"` and `'` to escape). All of
/// it is synthesized with fixed times and properties, so the bytes depend only
/// on the producer.
///
/// To regenerate after an intended format change: run
///   swift test --filter WIMGoldenTests
/// take the new digest and the image path from the failure message, check that
/// image with `wimlib-imagex verify`, `wimlib-imagex info … 1` and `7z t`, then
/// paste the digest below.
final class WIMGoldenTests: XCTestCase {
    static let expectedSHA256 = "39b6ef96ec087ec0fd8a3739b737d3fc9f239e84e7fb034e8e0b11c9b6e42254"

    func testSmallImageIsByteForByteTheGolden() throws {
        let properties = WIMProperties(name: "Lab & <WIM>", createdBy: "Contoso's IT", version: "1.2", comment: "Line \"A\"")
        let layout = try WIMImage.layout(try Trees.small(), sha1s: [:], properties: properties)
        let bytes = try layout.allBytes()
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        guard digest != Self.expectedSHA256 else { return }
        let folder = try Scratch.folder("golden")
        try Scratch.write(bytes, to: folder + "/golden.wim")
        XCTFail("golden WIM changed: \(digest), image kept at \(folder)/golden.wim")
    }
}
