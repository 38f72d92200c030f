import XCTest
final class PlaceholderKtrace: XCTestCase { func testNothing() {} }
