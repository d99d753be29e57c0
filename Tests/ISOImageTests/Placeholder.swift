import XCTest
final class PlaceholderISOImageTests: XCTestCase { func testBuilds() {} }
