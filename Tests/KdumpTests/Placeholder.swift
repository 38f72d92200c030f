import XCTest
final class PlaceholderKdump: XCTestCase { func testNothing() {} }
