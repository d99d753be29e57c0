import XCTest
final class PlaceholderContentLibraryTests: XCTestCase { func testBuilds() {} }
