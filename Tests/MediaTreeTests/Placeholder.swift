import XCTest
final class PlaceholderMediaTreeTests: XCTestCase { func testBuilds() {} }
