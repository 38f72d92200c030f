import Foundation
import KtraceFormat
import XCTest

/// `--json`: one object per record, every header field and every decoded field.
final class JSONTests: KdumpTestCase {
    func dumpJSON(_ f: String, _ options: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        let r = run(["--json"] + options + ["-f", f])
        XCTAssertEqual(r.status, 0, file: file, line: line)
        XCTAssertEqual(r.err, "", file: file, line: line)
        return jsonLines(r.out, file: file, line: line)
    }

    func testHeaderFields() {
        let f = trace { b in
            b.procctor()
            b.cpu = 2
            b.nanoseconds = 123
            b.record(.namei, length: 2, dropped: true) { $0.copyMemory(from: "/a", byteCount: 2) }
        }
        let o = dumpJSON(f)
        XCTAssertEqual(o.count, 1)
        assertMembers(o[0], ["offset": 68, "type": "NAMI", "type_number": 3, "dropped": true, "version": 1,
                             "pid": 1, "tid": 100001, "comm": "test", "cpu": 2, "abi": "L64", "path": "/a",
                             "time": ["sec": 1_700_000_000, "nsec": 123]])
    }

    func testCallAndRet() {
        let f = linux { b in
            b.syscall(1, [1, 0x1000, 7])
            b.sysret(1, retval: 7)
            b.sysret(257, error: 2)
            b.sysret(0, error: -2)
        }
        let o = dumpJSON(f)
        XCTAssertEqual(o.map { $0["type"] as? String }, ["CALL", "RET", "RET", "RET"])
        XCTAssertEqual(o[0]["syscall"] as? String, "write")
        XCTAssertEqual(o[0]["syscall_number"] as? Int, 1)
        XCTAssertEqual(o[0]["args"] as? [Int], [1, 4096, 7])
        XCTAssertEqual(o[0]["args_text"] as? [String], ["0x1", "0x1000", "0x7"])
        XCTAssertEqual(o[1]["retval"] as? Int, 7)
        XCTAssertEqual(o[1]["error"] as? Int, 0)
        XCTAssertEqual(o[2]["error"] as? Int, 2)
        XCTAssertEqual(o[2]["errno_name"] as? String, "ENOENT")
        XCTAssertEqual(o[2]["errno_text"] as? String, "No such file or directory")
        XCTAssertNil(o[2]["retval"])
        XCTAssertEqual(o[3]["pseudo_error"] as? String, "JUSTRETURN")
    }

    func testUnknownSyscallIsNull() {
        let f = linux { b in b.syscall(999, []) }
        let o = dumpJSON(f)
        XCTAssertTrue(o[0]["syscall"] is NSNull)
        XCTAssertEqual(o[0]["args"] as? [Int], [])
    }

    func testGioTextAndBinaryData() {
        let f = linux { b in
            b.genio(fd: 1, rw: 1, Array("héllo\n".utf8))
            b.genio(fd: 0, rw: 0, [0, 1, 0xff])
        }
        let o = dumpJSON(f)
        assertMembers(o[0], ["fd": 1, "direction": "write", "length": 7, "encoding": "utf8", "data": "héllo\n"])
        assertMembers(o[1], ["fd": 0, "direction": "read", "length": 3, "encoding": "base64", "data": "AAH/"])
        let s = dumpJSON(f, ["-s"])
        XCTAssertNil(s[0]["data"])
    }

    func testPsigCswUserArgs() {
        let f = linux { b in
            b.psig(10, action: 0x401000, code: 0, mask: 2)
            b.raw(.csw, le(Int32(1)) + le(Int32(1)) + Array("wait\0\0\0\0".utf8))
            b.user([0x41, 0x42])
            b.strings(.args, ["ls", "-l"])
        }
        let o = dumpJSON(f)
        assertMembers(o[0], ["signal": 10, "signal_name": "SIGUSR1", "action": "caught", "handler": 0x401000,
                             "code": 0, "code_name": "SI_USER", "mask": 2])
        assertMembers(o[1], ["switch": "stop", "mode": "user", "wmesg": "wait"])
        assertMembers(o[2], ["type": "USER", "length": 2, "encoding": "utf8", "data": "AB"])
        assertMembers(o[3], ["type": "ARGS", "strings": ["ls", "-l"]])
    }

    func testStructFieldsAreObjects() {
        let inet = le(UInt16(2)) + [0, 80, 1, 2, 3, 4] + [UInt8](repeating: 0, count: 8)
        let pollfds = le(Int32(3)) + le(Int16(1)) + le(Int16(1))
        let f = linux { b in
            b.structure("sockaddr", inet)
            b.structure("rlimit", le(UInt64(1)) + le(UInt64(2)))
            b.structure("stat", [1])
            b.structArray("pollfd", itemSize: 8, pollfds)
        }
        let o = dumpJSON(f)
        XCTAssertEqual(o[0]["struct"] as? String, "sockaddr")
        let sa = o[0]["fields"] as? [String: Any]
        XCTAssertEqual(sa?["family_name"] as? String, "AF_INET")
        XCTAssertEqual(sa?["address"] as? String, "1.2.3.4")
        XCTAssertEqual(sa?["port"] as? Int, 80)
        XCTAssertEqual((o[1]["fields"] as? [String: Any])?["max"] as? Int, 2)
        XCTAssertEqual(o[2]["invalid"] as? Bool, true)
        let items = o[3]["items"] as? [[String: Any]]
        XCTAssertEqual(items?.count, 1)
        XCTAssertEqual(items?[0]["fd"] as? Int, 3)
        XCTAssertEqual(items?[0]["revents"] as? Int, 1)
    }

    func testStringsAreEscaped() {
        let f = linux { b in b.namei("a\"b\\c\u{1}\n") }
        let o = dumpJSON(f)
        XCTAssertEqual(o[0]["path"] as? String, "a\"b\\c\u{1}\n")
    }
}
