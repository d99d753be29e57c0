import XCTest
final class PlaceholderFATImageTests: XCTestCase { func testBuilds() {} }
