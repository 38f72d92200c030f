import Foundation
import KtraceFormat
import XCTest

/// `io`: GIO records carry the bytes actually transferred, their direction and fd,
/// capped at the genio size; none for a failed call.
final class IOTests: KtraceTestCase {
    let big = (0..<10000).map { UInt8(ascii: "a") + UInt8($0 % 26) }

    /// (syscall, fd, direction, bytes) of every GIO after the test program's pipe2.
    func transfers(_ t: Trace, file: StaticString = #filePath, line: UInt = #line) -> [(String, Int32, Int32, [UInt8])] {
        guard let start = t.records.firstCall("pipe2") else { XCTFail("no pipe2", file: file, line: line); return [] }
        var out: [(String, Int32, Int32, [UInt8])] = []
        var lastCall = ""
        for r in t.records[start...] {
            if r.call != nil { lastCall = r.syscallName() ?? "?" }
            if let g = r.gio { out.append((lastCall, g.fd, g.rw, g.data)) }
        }
        return out
    }

    func assertTransfers(_ t: Trace, cap: Int, file: StaticString = #filePath, line: UInt = #line) {
        let (r, w) = (GenioPayload.read, GenioPayload.write)
        let expected: [(String, Int32, Int32, [UInt8])] = [
            ("write", 4, w, Array("ping\n".utf8)), ("read", 3, r, Array("ping\n".utf8)),
            ("writev", 4, w, Array("abcde".utf8)), ("readv", 3, r, Array("abcde".utf8)),
            ("pwrite64", 5, w, Array("0123456789".utf8)), ("pread64", 5, r, Array("0123456789".utf8)),
            ("write", 4, w, Array(big.prefix(cap))), ("read", 3, r, Array(big.prefix(cap))),
            ("sendto", 6, w, Array("dgram".utf8)), ("recvfrom", 7, r, Array("dgram".utf8)),
            ("sendmsg", 6, w, Array("msg-one".utf8)), ("recvmsg", 7, r, Array("msg-one".utf8)),
        ].map { ($0.0, $0.1, $0.2, Array($0.3.prefix(cap))) }
        let got = transfers(t, file: file, line: line)
        XCTAssertEqual(got.map(\.0), expected.map(\.0), file: file, line: line)
        for (g, e) in zip(got, expected) {
            XCTAssertEqual(g.1, e.1, "fd of \(e.0)", file: file, line: line)
            XCTAssertEqual(g.2, e.2, "direction of \(e.0)", file: file, line: line)
            XCTAssertEqual(g.3, e.3, "bytes of \(e.0)", file: file, line: line)
        }
    }

    func testEveryTransferWithDefaultCap() throws {
        let t = trace(["io"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        assertTransfers(t, cap: 4096)
        // The big write's RET still says 10000: only the capture is capped.
        let i = try XCTUnwrap(t.records.indices.first { t.records[$0].isCall("write") && t.records[$0].call?.args[2] == 10000 })
        XCTAssertEqual(t.records.sequence(afterCall: i).last?.ret?.retval, 10000)
    }

    func testGenioSizeOption() {
        assertTransfers(trace(["io"], options: ["-s", "3"]), cap: 3)
        assertTransfers(trace(["io"], options: ["-s", "5000"]), cap: 5000)
    }

    func testNoGioForFailedRead() throws {
        let t = trace(["io"])
        // The last read: on the closed pipe descriptor.
        let i = try XCTUnwrap(t.records.lastIndex { $0.isCall("read") })
        XCTAssertEqual(t.records[i].call?.args[0], 3)
        let after = t.records.sequence(afterCall: i)
        XCTAssertEqual(after.map(\.type), [.sysret])
        XCTAssertEqual(after.first?.ret?.error, EBADF)
    }

    func testKdumpPrintsPingAsVisdump() {
        let t = trace(["io"])
        let text = kdumpBodies(t.file)
        // FreeBSD's visdump: 7 spaces and a quote, the newline passes through, and the
        // closing quote follows 7 spaces on the next line.
        let expected = ["GIO   fd 4 wrote 5 bytes", "       \"ping", "       \"", "RET   write 5"]
        let i = text.firstIndex(of: expected[0])
        XCTAssertNotNil(i, text.joined(separator: "\n"))
        if let i { XCTAssertEqual(Array(text[i..<min(i + 4, text.count)]), expected) }
        XCTAssertTrue(text.contains("GIO   fd 4 wrote 4096 bytes"))
        XCTAssertTrue(text.contains("RET   write 10000/0x2710"))
    }
}
