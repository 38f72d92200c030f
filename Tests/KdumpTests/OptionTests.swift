import Foundation
import KtraceFormat
import XCTest

/// The line prefix, filters and command line.
final class OptionTests: KdumpTestCase {
    let p = KdumpTestCase.p
    let usage = "usage: kdump [-dEnlHRrSsTA] [-c] [-f trfile] [-m maxdata] [-p pid] [-t trstr] [--json]\n"

    func testCommIsPaddedToEightAndCutAtNineteen() {
        let f = trace { b in
            b.comm = CommName("a-very-long-thread-name-here")
            b.namei("/x")
            b.comm = CommName("sh")
            b.pid = 123456
            b.namei("/y")
        }
        assertDump(f, [], "     1 a-very-long-thread- NAMI  \"/x\"\n123456 sh       NAMI  \"/y\"\n")
    }

    func testDashHAddsTidAndPrintsNegativeTidAsZero() {
        let f = trace { b in
            b.namei("/x")
            b.tid = -5
            b.namei("/y")
        }
        assertDump(f, ["-H"], "     1 100001 test     NAMI  \"/x\"\n     1      0 test     NAMI  \"/y\"\n")
    }

    func testAbsoluteElapsedAndRelativeTimestamps() {
        let f = trace { b in
            b.seconds = 100; b.nanoseconds = 500
            b.namei("/a")
            b.seconds = 101; b.nanoseconds = 200
            b.namei("/b")
            b.seconds = 100; b.nanoseconds = 900
            b.namei("/c")
        }
        assertDump(f, ["-T"], "\(p)100.000000500 NAMI  \"/a\"\n\(p)101.000000200 NAMI  \"/b\"\n\(p)100.000000900 NAMI  \"/c\"\n")
        assertDump(f, ["-E"], "\(p)0.000000000 NAMI  \"/a\"\n\(p)0.999999700 NAMI  \"/b\"\n\(p)0.000000400 NAMI  \"/c\"\n")
        assertDump(f, ["-R"], "\(p)0.000000000 NAMI  \"/a\"\n\(p)0.999999700 NAMI  \"/b\"\n\(p)-0.999999300 NAMI  \"/c\"\n")
        assertDump(f, ["-TER"], "\(p)100.000000500 0.000000000 0.000000000 NAMI  \"/a\"\n"
                   + "\(p)101.000000200 0.999999700 0.999999700 NAMI  \"/b\"\n"
                   + "\(p)100.000000900 0.000000400 -0.999999300 NAMI  \"/c\"\n")
    }

    func testVersion0HeaderUsesMicroseconds() {
        // A 56-byte v0 header: no KTR_VERSIONED bit, timeval, no cpu field.
        var h = [UInt8](repeating: 0, count: 56)
        h.replaceSubrange(0..<4, with: le(Int32(2)))
        h.replaceSubrange(4..<6, with: le(UInt16(3)))
        h.replaceSubrange(8..<12, with: le(Int32(7)))
        h.replaceSubrange(12..<14, with: Array("sh".utf8))
        h.replaceSubrange(32..<40, with: le(Int64(5)))
        h.replaceSubrange(40..<48, with: le(Int64(42)))
        h.replaceSubrange(48..<56, with: le(Int64(9)))
        let f = file(h + Array("/v".utf8))
        assertDump(f, ["-T", "-c"], "     7 sh       5.000042 NAMI  \"/v\"\n")
    }

    func testDashCPrintsCpu() {
        let f = trace { b in b.cpu = 3; b.namei("/x") }
        assertDump(f, ["-c"], "\(p)  3 NAMI  \"/x\"\n")
        assertDump(f, ["-c", "-T"], "\(p)1700000000.000000000   3 NAMI  \"/x\"\n")
    }

    func testDashAShowsTheAbiOfEachProcess() {
        let f = trace { b in
            b.procctor(SVFlags.linux64)
            b.namei("/64")
            b.pid = 2
            b.procctor(SVFlags.linux32)
            b.namei("/32")
            b.pid = 3
            b.namei("/none")
            b.pid = 2
            b.procdtor()
            b.namei("/gone")
        }
        assertDump(f, ["-A"], "\(p)NAMI  L64  \"/64\"\n     2 test     NAMI  L32  \"/32\"\n"
                   + "     3 test     NAMI  U00  \"/none\"\n     2 test     NAMI  U00  \"/gone\"\n")
    }

    func testI386ProcessUsesTheI386Table() {
        let f = trace { b in b.procctor(SVFlags.linux32); b.syscall(4, [1, 2, 3]) }
        assertDump(f, ["-n"], "\(p)CALL  write(0x1,0x2,0x3)\n")
    }

    func testDashPMatchesPidOrTid() {
        let f = trace { b in
            b.pid = 10; b.tid = 11; b.namei("/a")
            b.pid = 20; b.tid = 10; b.namei("/b")
            b.pid = 30; b.tid = 31; b.namei("/c")
        }
        assertDump(f, ["-p", "10"], "    10 test     NAMI  \"/a\"\n    20 test     NAMI  \"/b\"\n")
        assertDump(f, ["-p31"], "    30 test     NAMI  \"/c\"\n")
    }

    func testDashTSelectsFacilities() {
        let f = linux { b in
            b.syscall(39, [])
            b.namei("/x")
            b.genio(fd: 1, rw: 1, [0x41])
            b.sysret(39, retval: 1)
        }
        assertDump(f, ["-t", "n"], "\(p)NAMI  \"/x\"\n")
        assertDump(f, ["-t", "ci", "-s"], "\(p)CALL  getpid\n\(p)GIO   fd 1 wrote 1 byte\n\(p)RET   getpid 1\n")
    }

    func testBadTraceLetterIsAnError() {
        let f = linux { _ in }
        assertFails(["-t", "cq", "-f", f], err: "kdump: unknown trace point in cq\n")
    }

    func testDroppedEventsLineComesBeforeFilters() {
        let f = trace { b in
            b.record(.namei, length: 2, dropped: true) { $0.copyMemory(from: "/a", byteCount: 2) }
            b.record(.namei, length: 2, dropped: true) { $0.copyMemory(from: "/b", byteCount: 2) }
            b.pid = 9
            b.record(.namei, length: 2, dropped: true) { $0.copyMemory(from: "/c", byteCount: 2) }
            b.record(.namei, length: 2, dropped: true) { $0.copyMemory(from: "/d", byteCount: 2) }
        }
        // One notice until a record is printed; filtered records do not reset it.
        assertDump(f, [], "\(p)Events dropped.\n\(p)NAMI  \"/a\"\n\(p)Events dropped.\n\(p)NAMI  \"/b\"\n"
                   + "     9 test     Events dropped.\n     9 test     NAMI  \"/c\"\n     9 test     Events dropped.\n     9 test     NAMI  \"/d\"\n")
        assertDump(f, ["-p", "9", "-H"], "     1 100001 test     Events dropped.\n     9 100001 test     NAMI  \"/c\"\n"
                   + "     9 100001 test     Events dropped.\n     9 100001 test     NAMI  \"/d\"\n")
    }

    func testProcctorAndProcdtorAreNeverPrinted() {
        let f = trace { b in b.procctor(); b.procdtor() }
        assertDump(f, [], "")
    }

    func testStdinWithDashF() {
        let b = RecordBuilder()
        b.namei("/in")
        let r = run(["-f", "-"], stdin: Data(b.out.array))
        XCTAssertEqual(r.out, "\(p)NAMI  \"/in\"\n")
        XCTAssertEqual(r.status, 0)
    }

    func testDefaultFileIsKtraceOutInTheCurrentDirectory() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kdump-cwd-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let b = RecordBuilder()
        b.namei("/default")
        FileManager.default.createFile(atPath: dir.appendingPathComponent("ktrace.out").path, contents: Data(b.out.array))
        let p = Process()
        p.executableURL = KdumpTestCase.kdumpURL
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        try! p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(String(decoding: o, as: UTF8.self), "\(self.p)NAMI  \"/default\"\n")
    }

    func testBadOptionPrintsUsage() {
        assertFails(["-x"], err: "kdump: illegal option -- x\n" + usage)
        assertFails(["-f"], err: "kdump: option requires an argument -- f\n" + usage)
        assertFails(["extra"], err: usage)
        assertFails(["--jsn"], err: usage)
    }

    func testFollowWaitsForTheRestOfAPartialRecord() throws {
        let b = RecordBuilder()
        b.namei("/first")
        b.namei("/second")
        let all = b.out.array
        let split = all.count - 4
        let path = file(Array(all[0..<split]))
        let proc = Process()
        proc.executableURL = KdumpTestCase.kdumpURL
        proc.arguments = ["-l", "-f", path]
        let out = Pipe(), err = Pipe()
        proc.standardOutput = out
        proc.standardError = err
        try proc.run()
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertTrue(proc.isRunning, "kdump -l must wait at a partial record")
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile()
        h.write(Data(all[split...]))
        try h.close()
        Thread.sleep(forTimeInterval: 2.5)
        proc.terminate()
        proc.waitUntilExit()
        XCTAssertEqual(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       "\(p)NAMI  \"/first\"\n\(p)NAMI  \"/second\"\n")
        XCTAssertEqual(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "")
    }
}
