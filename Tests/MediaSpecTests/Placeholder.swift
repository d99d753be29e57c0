import XCTest
final class PlaceholderMediaSpecTests: XCTestCase { func testBuilds() {} }
