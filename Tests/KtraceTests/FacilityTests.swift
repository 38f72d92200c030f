import Foundation
import KtraceFormat
import XCTest

/// `-t` letters, USER records from utrace(), ARGS/ENVS, and i386 system calls.
final class FacilityTests: KtraceTestCase {
    func testUtraceRecordsUserDataAndReturnsZero() throws {
        let t = trace(["utrace"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(t.run.out, "0\n0\n")
        XCTAssertEqual(t.records.compactMap(\.user), [Array("hello utrace".utf8), Array(0..<16)])
        // The reserved number 0x7574 returns 0 when traced.
        let rets = t.records.filter { $0.ret?.code == 0x7574 }.map { $0.ret! }
        XCTAssertEqual(rets.map(\.error), [0, 0])
        XCTAssertEqual(rets.map(\.retval), [0, 0])
        let text = kdumpBodies(t.file)
        XCTAssertTrue(text.contains("USER  12  68 65 6c 6c 6f 20 75 74 72 61 63 65"), text.joined(separator: "\n"))
        XCTAssertTrue(text.contains("USER  16  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"))
    }

    func testUtraceUntracedReturnsZero() {
        let r = runProcess(Products.testprog, ["utrace"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "0\n0\n")
    }

    func testWithoutUNoUserRecord() {
        let t = trace(["utrace"], options: ["-t", "c"])
        XCTAssertEqual(t.run.out, "0\n0\n")
        XCTAssertTrue(t.records.ofType(.user).isEmpty)
        XCTAssertEqual(t.records.filter { $0.call?.code == 0x7574 }.count, 2)
    }

    func testNamiOnly() {
        let dir = makeTempDir()
        let t = trace(["paths", dir], options: ["-t", "n"])
        XCTAssertEqual(t.run.status, 0)
        XCTAssertEqual(t.run.err, "")
        XCTAssertEqual(Set(t.records.compactMap(\.type)), [.namei, .procctor, .procdtor])
        let paths = t.records.compactMap(\.path)
        let ours = paths.filter { $0.hasPrefix(dir) || $0 == "f" }
        XCTAssertEqual(ours, [dir + "/f", dir + "/f", dir + "/nonexistent", dir + "/d", dir + "/d", dir + "/e",
                              dir + "/e", "f", dir + "/l", dir + "/l", dir])
        XCTAssertEqual(paths.first, Products.testprog)   // the execve's
    }

    func testArgsAndEnvs() {
        let env = ["KTRACE_TEST": "yes", "PATH": "/usr/bin:/bin"]
        let t = trace(["exitcode", "0"], options: ["-t", "xX"], environment: env)
        XCTAssertEqual(t.run.status, 0)
        XCTAssertEqual(t.records.ofType(.args).compactMap(\.strings), [[Products.testprog, "exitcode", "0"]])
        XCTAssertEqual(t.records.ofType(.envs).compactMap(\.strings).map { Set($0) }, [Set(env.map { "\($0.key)=\($0.value)" })])
        XCTAssertEqual(Set(t.records.compactMap(\.type)), [.args, .envs, .procctor, .procdtor])
        XCTAssertTrue(kdumpBodies(t.file).contains("ARGS  \"\(Products.testprog)\", \"exitcode\", \"0\""))

        let x = trace(["exitcode", "0"], options: ["-t", "x"], environment: env)
        XCTAssertEqual(x.records.ofType(.args).count, 1)
        XCTAssertEqual(x.records.ofType(.envs).count, 0)
        // Not in the default set.
        let d = trace(["exitcode", "0"], environment: env)
        XCTAssertEqual(d.records.ofType(.args).count + d.records.ofType(.envs).count, 0)
    }

    func testUnrecordedLettersAreAcceptedAndNamedOnce() {
        let t = trace(["exitcode", "3"], options: ["-t", "cwyfp"])
        XCTAssertEqual(t.run.status, 3)
        XCTAssertEqual(t.run.err, "ktrace: not recorded on Linux: w (context switches), y (sysctl names), "
                       + "f (page faults), p (capability failures)\n")
        XCTAssertEqual(Set(t.records.compactMap(\.type)), [.syscall, .sysret, .procctor, .procdtor])
        let w = trace(["exitcode", "0"], options: ["-t", "cw"])
        XCTAssertEqual(w.run.err, "ktrace: not recorded on Linux: w (context switches)\n")
        // The default set contains y, but nothing was asked for: no message.
        XCTAssertEqual(trace(["exitcode", "0"]).run.err, "")
    }

    func testInt80CarriesI386NumbersAndKdumpNamesThem() throws {
        let t = trace(["int80"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(t.run.out, "int80\n")
        // A PROCCTOR for the i386 ABI, then getpid (20) and write (4), then back to x86-64.
        let ctor = try XCTUnwrap(t.records.firstIndex { $0.svFlags == 0x103 })
        let rest = Array(t.records[(ctor + 1)...])
        XCTAssertEqual(rest.prefix(5).map(\.type), [.syscall, .sysret, .syscall, .genio, .sysret])
        XCTAssertEqual(rest[0].call?.code, 20)
        XCTAssertEqual(rest[0].call?.args.count, 0)
        XCTAssertEqual(rest[1].ret?.retval, Int64(t.run.pid))
        XCTAssertEqual(rest[2].call?.code, 4)
        XCTAssertEqual(rest[2].call?.args.count, 3)
        XCTAssertEqual(rest[2].call?.args[0], 1)
        XCTAssertEqual(rest[3].gio?.data, Array("int80\n".utf8))
        XCTAssertEqual(rest[4].ret?.retval, 6)
        XCTAssertEqual(rest[5].svFlags, 0x203)
        XCTAssertEqual(rest[6].syscallName(), "exit_group")
        let text = kdumpBodies(t.file)
        let i = try XCTUnwrap(text.lastIndex(of: "CALL  getpid"))
        XCTAssertEqual(text[i + 1], "RET   getpid \(t.run.pid)/0x\(String(t.run.pid, radix: 16))")
        XCTAssertTrue(text[i + 2].hasPrefix("CALL  write(0x1,0x"), text[i + 2])
        XCTAssertEqual(text[i + 7], "CALL  exit_group(0)")
    }
}
