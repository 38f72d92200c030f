import Foundation
import KtraceFormat
import XCTest

/// Untrusted trace files: kdump prints every complete record before the bad one, then
/// one line naming the file and the offset of the bad record, and exits 1.
final class BadInputTests: KdumpTestCase {
    let p = KdumpTestCase.p

    /// One good 66-byte NAMI record, then `tail`.
    func afterOneRecord(_ tail: [UInt8]) -> String {
        trace(tail: tail) { b in b.namei("/a") }
    }

    func header(length: Int32, type: UInt16) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 64)
        h.replaceSubrange(0..<4, with: le(length))
        h.replaceSubrange(4..<6, with: le(type | 0x4000))
        h.replaceSubrange(6..<8, with: le(Int16(1)))
        h.replaceSubrange(8..<12, with: le(Int32(1)))
        return h
    }

    func testEmptyFilePrintsNothing() {
        assertDump(file([]), [], "")
    }

    func testMissingFile() {
        assertFails(["-f", "/nonexistent/ktrace.out"], err: "kdump: /nonexistent/ktrace.out: No such file or directory\n")
    }

    func testDirectory() {
        assertFails(["-f", "/"], err: "kdump: /: offset 0: Is a directory\n")
    }

    func testTruncatedHeader() {
        let f = afterOneRecord([1, 2, 3])
        assertFails(["-f", f], out: "\(p)NAMI  \"/a\"\n",
                    err: "kdump: \(f): offset 66: truncated record header (3 of 64 bytes)\n")
    }

    func testTruncatedPayload() {
        let f = afterOneRecord(header(length: 10, type: 3) + Array("/abc".utf8))
        assertFails(["-f", f], out: "\(p)NAMI  \"/a\"\n",
                    err: "kdump: \(f): offset 66: truncated record: payload of 10 bytes, 4 present\n")
    }

    func testNegativeLength() {
        let f = afterOneRecord(header(length: -1, type: 3))
        assertFails(["-f", f], out: "\(p)NAMI  \"/a\"\n", err: "kdump: \(f): offset 66: bogus length 0xffffffff\n")
    }

    func testHugeLength() {
        let f = afterOneRecord(header(length: Int32.max, type: 3))
        assertFails(["-f", f], out: "\(p)NAMI  \"/a\"\n", err: "kdump: \(f): offset 66: bogus length 0x7fffffff\n")
    }

    func testNargLargerThanPayload() {
        let payload = le(Int16(1)) + le(Int16(6)) + le(Int32(0)) + le(Int64(1))
        let f = afterOneRecord(header(length: Int32(payload.count), type: 1) + payload)
        assertFails(["-f", f], out: "\(p)NAMI  \"/a\"\n",
                    err: "kdump: \(f): offset 66: syscall narg 6 larger than its payload (16 bytes)\n")
    }

    func testShortFixedPayloads() {
        for (type, name, need) in [(UInt16(2), "sysret", 16), (4, "genio", 8), (5, "psig", 40), (6, "csw", 8), (10, "procctor", 4)] {
            let f = afterOneRecord(header(length: 2, type: type) + [0, 0])
            assertFails(["-f", f], out: "\(p)NAMI  \"/a\"\n",
                        err: "kdump: \(f): offset 66: \(name) payload too short (2 bytes, need \(need))\n")
        }
    }

    func testFilteredBadRecordStillFailsWhenItsPayloadMatters() {
        // A short SYSRET is not decoded when -t hides it; the reader only needs whole records.
        let f = afterOneRecord(header(length: 2, type: 2) + [0, 0])
        assertDump(f, ["-t", "n"], "\(p)NAMI  \"/a\"\n")
    }

    func testUnsupportedVersion() {
        var h = header(length: 0, type: 3)
        h.replaceSubrange(6..<8, with: le(Int16(7)))
        let f = afterOneRecord(h)
        assertFails(["-f", f], out: "\(p)NAMI  \"/a\"\n", err: "kdump: \(f): offset 66: unsupported record version 7\n")
    }

    func testGarbageBytes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let junk = (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let r = run(["-f", file(junk)])
            // Whatever the bytes, kdump ends with 0 or with one diagnostic line and status 1, never a crash.
            XCTAssertTrue(r.status == 0 || r.status == 1, "status \(r.status)")
            if r.status == 1 {
                XCTAssertTrue(r.err.hasPrefix("kdump: "), r.err)
                XCTAssertEqual(r.err.filter { $0 == "\n" }.count, 1, r.err)
            }
            let j = run(["--json", "-f", file(junk)])
            XCTAssertTrue(j.status == 0 || j.status == 1, "status \(j.status)")
        }
    }

    func testStdinIsNamedInErrors() {
        let r = run(["-f", "-"], stdin: Data([1, 2, 3]))
        XCTAssertEqual(r.err, "kdump: stdin: offset 0: truncated record header (3 of 64 bytes)\n")
        XCTAssertEqual(r.status, 1)
    }
}
