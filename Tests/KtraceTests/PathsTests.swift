import Foundation
import KtraceFormat
import XCTest

/// `paths`: NAMI records after the CALL for every path argument, RET values, STRU stat.
final class PathsTests: KtraceTestCase {
    var dir = ""
    var t: Trace!

    override func setUp() {
        super.setUp()
        dir = makeTempDir()
        t = trace(["paths", dir])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(t.run.err, "")
    }

    /// The CALL of `name` and the records of the same thread up to its RET.
    func call(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> (call: TraceRecord, after: [TraceRecord])? {
        guard let i = t.records.firstCall(name) else {
            XCTFail("no CALL \(name)", file: file, line: line)
            return nil
        }
        return (t.records[i], t.records.sequence(afterCall: i))
    }

    func testOpenatFlagsModeNamiAndFd() throws {
        // The dynamic loader opens libraries with openat too: take the one for our file.
        let i = try XCTUnwrap(t.records.indices.first { t.records[$0].isCall("openat") && t.records[$0 + 1].path == dir + "/f" })
        let c = try XCTUnwrap(t.records[i].call)
        XCTAssertEqual(c.args.count, 4)
        // The register holds what the C caller passed: an int AT_FDCWD in a long slot.
        XCTAssertEqual(c.args[0], Int64(UInt32(bitPattern: -100)))
        XCTAssertEqual(c.args[2], Int64(O_WRONLY | O_CREAT | O_TRUNC))
        XCTAssertEqual(c.args[3], 0o644)
        let after = t.records.sequence(afterCall: i)
        XCTAssertEqual(after.map(\.type), [.namei, .sysret])
        let ret = try XCTUnwrap(after[1].ret)
        XCTAssertEqual(ret.error, 0)
        XCTAssertEqual(ret.retval, 3)
        // The write to it follows with fd 3.
        let w = try XCTUnwrap(t.records.firstCall("write", from: i))
        XCTAssertEqual(t.records[w].call?.args[0], 3)
        XCTAssertEqual(t.records[w + 1].gio?.data, Array("hello".utf8))
    }

    /// A path is read in pieces (a short first read, then up to each page's end): long
    /// ones, ones that cross into the next page, and ones that end a mapping come whole.
    func testLongPathsWhole() throws {
        for n in [40, 255, 256, 257, 300, 3000] {
            let long = trace(["longpath", String(n)], options: ["-t", "n"])
            XCTAssertEqual(long.run.status, 0, long.run.err)
            let expected = String((0..<n).map { k -> Character in
                k % 51 == 0 ? "/" : Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(k % 26)))
            })
            let paths = long.records.compactMap(\.path).filter { $0.hasPrefix("/bcdef") }
            XCTAssertEqual(paths, [expected, expected], "path of \(n) bytes")
        }
    }

    func testFaccessatENOENT() throws {
        let (_, after) = try XCTUnwrap(call("faccessat"))
        XCTAssertEqual(after.map(\.type), [.namei, .sysret])
        XCTAssertEqual(after[0].path, dir + "/nonexistent")
        XCTAssertEqual(after[1].ret?.error, 2)
        XCTAssertTrue(kdumpBodies(t.file).contains("RET   faccessat -1 errno 2 No such file or directory"))
    }

    func testRenameatTwoNamisInOrder() throws {
        let (c, after) = try XCTUnwrap(call("renameat"))
        XCTAssertEqual(c.call?.args[0], Int64(UInt32(bitPattern: -100)))
        XCTAssertEqual(c.call?.args[2], Int64(UInt32(bitPattern: -100)))
        XCTAssertEqual(after.map(\.path), [dir + "/d", dir + "/e", nil])
        XCTAssertEqual(after.last?.ret?.retval, 0)
        XCTAssertEqual(after.last?.ret?.error, 0)
    }

    func testMkdirUnlinkatReadlinkatChdir() throws {
        XCTAssertEqual(try XCTUnwrap(call("mkdir")).after.map(\.path), [dir + "/d", nil])
        XCTAssertEqual(try XCTUnwrap(call("mkdir")).call.call?.args[1], 0o755)
        XCTAssertEqual(try XCTUnwrap(call("unlinkat")).after.map(\.path), [dir + "/e", nil])
        let rl = try XCTUnwrap(call("readlinkat"))
        XCTAssertEqual(rl.after.map(\.path), [dir + "/l", nil])
        XCTAssertEqual(rl.after.last?.ret?.retval, 1)   // "f"
        XCTAssertEqual(try XCTUnwrap(call("chdir")).after.map(\.path), [dir, nil])
    }

    func testSymlinkatTwoNamis() throws {
        let (_, after) = try XCTUnwrap(call("symlinkat"))
        XCTAssertEqual(after.map(\.path), ["f", dir + "/l", nil])
    }

    func testNewfstatatStructStat() throws {
        let i = try XCTUnwrap(t.records.indices.first { t.records[$0].isCall("newfstatat") && t.records[$0 + 1].path == dir + "/f" })
        let after = t.records.sequence(afterCall: i)
        XCTAssertEqual(after.map(\.type), [.namei, .structure, .sysret])
        let s = try XCTUnwrap(after[1].structure)
        XCTAssertEqual(s.name, "stat")
        XCTAssertEqual(s.data.count, 144)   // struct stat on x86-64
        let size = s.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 48, as: Int64.self) }
        let mode = s.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 24, as: UInt32.self) }
        XCTAssertEqual(size, 5)
        XCTAssertEqual(mode, 0o100644)
        let text = kdumpBodies(t.file)
        XCTAssertTrue(text.contains { $0.hasPrefix("STRU  struct stat {") && $0.contains("mode=0100644") && $0.contains("size=5,") },
                      text.joined(separator: "\n"))
    }

    func testEveryRecordIsTheCommandsAndTheTraceEndsWithProcdtor() throws {
        XCTAssertEqual(Set(t.records.map(\.pid)), [t.run.pid])
        XCTAssertEqual(t.records.first?.type, .procctor)
        XCTAssertEqual(t.records.first?.svFlags, 0x203)
        XCTAssertEqual(t.records.last?.type, .procdtor)
        XCTAssertEqual(t.records.dropLast().last?.isCall("exit_group"), true)
        XCTAssertEqual(t.records.last(where: { $0.call != nil })?.call?.args.first, 0)
    }
}
