import XCTest
@testable import LinuxABI

final class ErrnoSignalTests: XCTestCase {
    func testErrnoNamesAndTexts() {
        XCTAssertEqual(LinuxErrno.name(2), "ENOENT")
        XCTAssertEqual(LinuxErrno.text(2), "No such file or directory")
        XCTAssertEqual(LinuxErrno.name(11), "EAGAIN")
        XCTAssertEqual(LinuxErrno.name(35), "EDEADLK")
        XCTAssertEqual(LinuxErrno.name(95), "EOPNOTSUPP")
        XCTAssertEqual(LinuxErrno.text(95), "Operation not supported")
        XCTAssertEqual(LinuxErrno.name(133), "EHWPOISON")
        XCTAssertEqual(LinuxErrno.text(133), "Memory page has hardware error")
        XCTAssertNil(LinuxErrno.name(41))
        XCTAssertNil(LinuxErrno.name(0))
        XCTAssertNil(LinuxErrno.text(134))
        XCTAssertNil(LinuxErrno.text(-1))
    }

    func testSignalNames() {
        XCTAssertEqual(LinuxSignals.name(2), "SIGINT")
        XCTAssertEqual(LinuxSignals.name(17), "SIGCHLD")
        XCTAssertEqual(LinuxSignals.name(31), "SIGSYS")
        XCTAssertEqual(LinuxSignals.name(32), "SIGCANCEL")
        XCTAssertEqual(LinuxSignals.name(33), "SIGSETXID")
        XCTAssertEqual(LinuxSignals.name(34), "SIGRT2")
        XCTAssertEqual(LinuxSignals.name(63), "SIGRT31")
        XCTAssertEqual(LinuxSignals.name(64), "SIGRTMAX")
        XCTAssertNil(LinuxSignals.name(0))
        XCTAssertNil(LinuxSignals.name(65))
    }

    func testSignalCodes() {
        XCTAssertEqual(LinuxSignals.codeName(signal: 11, code: 1), "SEGV_MAPERR")
        XCTAssertEqual(LinuxSignals.codeName(signal: 17, code: 1), "CLD_EXITED")
        XCTAssertEqual(LinuxSignals.codeName(signal: 2, code: 0x80), "SI_KERNEL")
        XCTAssertEqual(LinuxSignals.codeName(signal: 15, code: -6), "SI_TKILL")
        XCTAssertEqual(LinuxSignals.codeName(signal: 11, code: 0), "SI_USER")
        XCTAssertEqual(LinuxSignals.codeName(signal: 31, code: 1), "SYS_SECCOMP")
        XCTAssertNil(LinuxSignals.codeName(signal: 2, code: 1))
    }
}
