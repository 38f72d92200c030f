import Foundation
import KtraceFormat
import XCTest

/// ktrace -p / -g / -d / -c / -C on real running processes (issue 4).
final class AttachTests: KtraceTestCase {
    /// Processes a test started; killed at tearDown whatever happened.
    private var started: [RunningProcess] = []
    private var lastTracer: Int32 = 0
    /// Processes started indirectly (a shell's pipeline), killed at tearDown.
    private var strays: [Int32] = []

    override func tearDown() {
        for pid in strays { kill(pid, SIGKILL) }
        strays = []
        for p in started where p.isRunning { kill(p.pid, SIGKILL) }
        started = []
        super.tearDown()
    }

    func start(_ args: [String], executable: String = Products.testprog) throws -> RunningProcess {
        let p = try RunningProcess(executable, args)
        started.append(p)
        return p
    }

    /// Field 3 of /proc/pid/stat (R, S, T, t, Z...).
    func state(_ pid: Int32) -> String {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = s.lastIndex(of: ")") else { return "?" }
        return String(s[s.index(close, offsetBy: 2)])
    }

    func statusField(_ pid: Int32, _ name: String) -> String? {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in s.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    func tracerPid(_ pid: Int32) -> Int32 { Int32(statusField(pid, "TracerPid") ?? "") ?? -1 }

    /// Waits up to `seconds` for `condition`.
    func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    func records(_ file: String) -> [TraceRecord] {
        (try? readTrace(file)) ?? []
    }

    /// After a detach: not traced, not in a ptrace stop, no SIGSTOP/SIGTRAP left pending.
    func assertLeftAlone(_ pid: Int32, expectedState: Set<String>, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(eventually { self.tracerPid(pid) == 0 }, "still traced by \(tracerPid(pid))", file: file, line: line)
        // Just let go, a thread restarting its syscall is briefly runnable.
        XCTAssertTrue(eventually { expectedState.contains(self.state(pid)) }, "state \(state(pid))", file: file, line: line)
        XCTAssertNotEqual(state(pid), "t", "left in a ptrace stop", file: file, line: line)
        for field in ["SigPnd", "ShdPnd"] {
            let bits = UInt64(statusField(pid, field) ?? "", radix: 16) ?? 0
            XCTAssertEqual(bits & (1 << UInt64(SIGSTOP - 1) | 1 << UInt64(SIGTRAP - 1)), 0, "\(field) \(String(bits, radix: 16))",
                           file: file, line: line)
        }
    }

    func testAttachRecordsThenClearStopsAndLeavesItRunning() throws {
        let p = try start(["loop"])
        let f = makeTempDir() + "/a.out"
        let r = ktrace(["-f", f, "-p", "\(p.pid)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "")
        lastTracer = tracerPid(p.pid)
        XCTAssertGreaterThan(lastTracer, 0)
        XCTAssertTrue(eventually { self.records(f).filter { $0.isCall("getppid") }.count >= 3 })
        let before = records(f)
        XCTAssertEqual(before.first?.type, .procctor, "the first record announces the process")
        XCTAssertEqual(before.first?.svFlags, SVFlags.linux64)
        XCTAssertEqual(before.first?.pid, p.pid)
        XCTAssertTrue(before.allSatisfy { $0.pid == p.pid })
        XCTAssertTrue(kdump(f).contains("CALL  getppid\n"))

        let c = ktrace(["-c", "-p", "\(p.pid)"])
        XCTAssertEqual(c.status, 0, c.err)
        assertLeftAlone(p.pid, expectedState: ["S", "R"])
        let n = records(f).count
        usleep(300_000)
        XCTAssertEqual(records(f).count, n, "records after clearing")
        XCTAssertTrue(p.isRunning)
        // The tracer had nothing left: it is gone, and so is its socket.
        let tracer = r.status == 0 ? lastTracer : 0
        XCTAssertTrue(eventually { kill(tracer, 0) != 0 }, "tracer \(tracer) still running")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/ktrace-\(getuid())/\(tracer).sock"))
    }

    /// A handler installed before the attach: /proc tells only that SIGUSR1 is caught.
    /// Its address is learnt when the signal is delivered (single-stepping into it).
    func testHandlerInstalledBeforeAttachShowsItsAddress() throws {
        let dir = makeTempDir()
        let p = try start(["caught-loop", dir + "/handler"])
        func written() -> String { (try? String(contentsOfFile: dir + "/handler", encoding: .utf8)) ?? "" }
        XCTAssertTrue(eventually { written().hasSuffix("\n") })
        let handler = try XCTUnwrap(UInt64(written().dropFirst(2).dropLast(), radix: 16))
        let f = dir + "/a.out"
        let r = ktrace(["-t", "s", "-f", f, "-p", "\(p.pid)"])
        XCTAssertEqual(r.status, 0, r.err)
        for n in 1...2 {
            XCTAssertEqual(kill(p.pid, SIGUSR1), 0)
            XCTAssertTrue(eventually { self.records(f).filter { $0.type == .psig }.count >= n }, "PSIG \(n)")
        }
        let psigs = records(f).compactMap(\.psig)
        XCTAssertEqual(psigs.map(\.signo), [SIGUSR1, SIGUSR1])
        XCTAssertEqual(psigs.map(\.action), [handler, handler])
        XCTAssertEqual(psigs.map(\.code), [0, 0])   // SI_USER
        XCTAssertTrue(kdump(f).contains("PSIG  SIGUSR1 caught handler=0x\(String(handler, radix: 16)) mask=0x0 code=SI_USER\n"))
        let c = ktrace(["-c", "-p", "\(p.pid)"])
        XCTAssertEqual(c.status, 0, c.err)
        assertLeftAlone(p.pid, expectedState: ["S", "R"])
        XCTAssertTrue(p.isRunning, "the handler ran and the program went on")
    }

    func testStoppedProcessStaysStoppedThroughAttachAndDetach() throws {
        let p = try start(["loop"])
        usleep(100_000)
        kill(p.pid, SIGSTOP)
        XCTAssertTrue(eventually { self.state(p.pid) == "T" })
        let f = makeTempDir() + "/s.out"
        XCTAssertEqual(ktrace(["-f", f, "-p", "\(p.pid)"]).status, 0)
        usleep(200_000)
        XCTAssertEqual(records(f).filter { $0.type == .syscall }.count, 0, "a stopped process makes no syscalls")
        XCTAssertEqual(ktrace(["-c", "-p", "\(p.pid)"]).status, 0)
        assertLeftAlone(p.pid, expectedState: ["T"])
        kill(p.pid, SIGCONT)
        XCTAssertTrue(eventually { self.state(p.pid) == "S" || self.state(p.pid) == "R" })
    }

    func testBlockedReadContinuesWithoutEINTR() throws {
        // The reader blocks on a FIFO this test holds open and writes only after the detach.
        let fifo = makeTempDir() + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let p = try start(["-c", "exec \"$0\" readpipe < \"$1\"", Products.testprog, fifo], executable: "/bin/sh")
        let writer = open(fifo, O_WRONLY)
        XCTAssertGreaterThanOrEqual(writer, 0)
        defer { close(writer) }
        XCTAssertTrue(eventually { self.comm(p.pid) == "ktrace-testprog" && self.state(p.pid) == "S" })
        let f = makeTempDir() + "/r.out"
        XCTAssertEqual(ktrace(["-f", f, "-p", "\(p.pid)"]).status, 0)
        usleep(100_000)
        XCTAssertEqual(ktrace(["-c", "-p", "\(p.pid)"]).status, 0)
        assertLeftAlone(p.pid, expectedState: ["S"])
        XCTAssertEqual(write(writer, "hello\n", 6), 6)
        let r = p.finish(timeout: 10)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "hello\n")
    }

    func testVforkParentAndChildBothGoOn() throws {
        let p = try start(["vfork-wait"])
        usleep(200_000)
        let f = makeTempDir() + "/v.out"
        XCTAssertEqual(ktrace(["-f", f, "-p", "\(p.pid)"]).status, 0)
        XCTAssertEqual(ktrace(["-c", "-p", "\(p.pid)"]).status, 0)
        let r = p.finish(timeout: 10)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.signaled)
    }

    func testMultithreadedProcessAllThreadsTraced() throws {
        let script = "import threading,os,time\n" +
            "def w():\n  while True: os.getppid(); time.sleep(0.01)\n" +
            "for _ in range(3): threading.Thread(target=w, daemon=True).start()\n" +
            "print('ready', flush=True)\ntime.sleep(30)\n"
        let p = try start(["-c", script], executable: "/usr/bin/python3")
        XCTAssertTrue(eventually { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.pid)/task"))?.count ?? 0 >= 4 })
        let tids = Set(try FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.pid)/task").compactMap { Int64($0) })
        let f = makeTempDir() + "/t.out"
        XCTAssertEqual(ktrace(["-f", f, "-p", "\(p.pid)"]).status, 0)
        for tid in tids { XCTAssertEqual(tracerPid(Int32(tid)) != 0, true, "thread \(tid) not attached") }
        let workers = tids.subtracting([Int64(p.pid)])
        XCTAssertTrue(eventually {
            Set(self.records(f).filter { $0.isCall("getppid") }.map(\.tid)).isSuperset(of: workers)
        }, "every worker thread's getppid is recorded with its tid")
        XCTAssertEqual(ktrace(["-c", "-p", "\(p.pid)"]).status, 0)
        for tid in tids { XCTAssertTrue(eventually { self.tracerPid(Int32(tid)) == 0 }) }
    }

    func testProcessGroupAndDescendants() throws {
        // A shell pipeline as a job of its own: bash's job control gives it a process group.
        let job = "set -m; \(Products.testprog) loop | \(Products.testprog) loop > /dev/null & wait"
        let p = try start(["-c", job], executable: "/bin/bash")
        var members: [Int32] = []
        var pgrp: Int32 = 0
        XCTAssertTrue(eventually {
            members = ProcessTableForTests.children(of: p.pid).filter { self.comm($0) == "ktrace-testprog" }
            pgrp = members.first.map { ProcessTableForTests.pgrp(of: $0) } ?? 0
            return members.count == 2 && pgrp != 0 && pgrp != p.pid
        }, "pipeline not found")
        strays += members
        let f = makeTempDir() + "/g.out"
        let r = ktrace(["-f", f, "-g", "\(pgrp)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(eventually { Set(self.records(f).filter { $0.type == .procctor }.map(\.pid)).isSuperset(of: members) })
        XCTAssertTrue(eventually { self.records(f).contains { $0.isCall("getppid") } })
        let cleared = ktrace(["-c", "-g", "\(pgrp)"])
        XCTAssertEqual(cleared.status, 0, cleared.err)
        for m in members { assertLeftAlone(m, expectedState: ["S", "R"]) }

        // -d: the shell and everything below it.
        let f2 = makeTempDir() + "/d.out"
        XCTAssertEqual(ktrace(["-f", f2, "-d", "-p", "\(p.pid)"]).status, 0)
        XCTAssertTrue(eventually { Set(self.records(f2).filter { $0.type == .procctor }.map(\.pid)).isSuperset(of: members + [p.pid]) })
        XCTAssertEqual(ktrace(["-C"]).status, 0)
        for m in members + [p.pid] { assertLeftAlone(m, expectedState: ["S", "R"]) }
    }

    func comm(_ pid: Int32) -> String {
        ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
    }

    func testSettingAgainWithAnotherFileMovesTheRecords() throws {
        let p = try start(["loop"])
        let dir = makeTempDir()
        XCTAssertEqual(ktrace(["-f", dir + "/one", "-t", "c", "-p", "\(p.pid)"]).status, 0)
        XCTAssertTrue(eventually { self.records(dir + "/one").contains { $0.isCall("getppid") } })
        let tracer = tracerPid(p.pid)
        XCTAssertEqual(ktrace(["-f", dir + "/two", "-t", "n", "-p", "\(p.pid)"]).status, 0)
        XCTAssertEqual(tracerPid(p.pid), tracer, "changed in place by the same tracer")
        XCTAssertTrue(eventually { self.records(dir + "/two").contains { $0.isCall("getppid") } })
        let frozen = records(dir + "/one").count
        usleep(300_000)
        XCTAssertEqual(records(dir + "/one").count, frozen, "the old file gets nothing more")
        XCTAssertTrue(records(dir + "/two").contains { $0.type == .procctor }, "a PROCCTOR after the change")
        // -c -f: stop all tracing into that file.
        XCTAssertEqual(ktrace(["-c", "-f", dir + "/two"]).status, 0)
        assertLeftAlone(p.pid, expectedState: ["S", "R"])
    }

    func testTwoTracersAppendingToOneFileInterleaveWholeRecords() throws {
        let a = try start(["loop"]), b = try start(["loop"])
        let f = makeTempDir() + "/both.out"
        XCTAssertEqual(ktrace(["-f", f, "-p", "\(a.pid)"]).status, 0)
        let tracerA = tracerPid(a.pid)
        // Clearing a first makes b's ktrace start a second tracer process: two writers.
        XCTAssertEqual(ktrace(["-c", "-p", "\(a.pid)"]).status, 0)
        XCTAssertTrue(eventually { self.tracerPid(a.pid) == 0 })
        XCTAssertEqual(ktrace(["-a", "-f", f, "-p", "\(b.pid)"]).status, 0)
        XCTAssertEqual(ktrace(["-a", "-f", f, "-p", "\(a.pid)"]).status, 0)
        XCTAssertNotEqual(tracerPid(a.pid), tracerA)
        XCTAssertTrue(eventually { Set(self.records(f).filter { $0.isCall("getppid") }.map(\.pid)) == [a.pid, b.pid] })
        usleep(300_000)
        XCTAssertEqual(ktrace(["-c", "-f", f]).status, 0)
        for p in [a, b] { assertLeftAlone(p.pid, expectedState: ["S", "R"]) }
        // readTrace throws on any torn record; every record is one of the two processes'.
        let all = try readTrace(f)
        XCTAssertTrue(all.allSatisfy { $0.pid == a.pid || $0.pid == b.pid })
        XCTAssertEqual(kdump(f).isEmpty, false)
    }

    func testErrorLinesForMissingAndAlreadyTracedProcesses() throws {
        let missing = ktrace(["-p", "999999"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err, "ktrace: 999999: No such process\n")

        let p = try start(["loop"])
        let strace = try start(["-o", "/dev/null", "-p", "\(p.pid)"], executable: "/usr/bin/strace")
        XCTAssertTrue(eventually { self.tracerPid(p.pid) == strace.pid })
        let r = ktrace(["-f", makeTempDir() + "/x", "-p", "\(p.pid)"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "ktrace: \(p.pid): Operation not permitted (already traced by process \(strace.pid) (strace))\n")
        kill(strace.pid, SIGINT)
    }

    func testAnotherUserIsRefused() throws {
        guard getuid() == 0 else {
            throw XCTSkip("NOT RUN: needs root to create a second user (CI runs as root)")
        }
        let user = try TestUser.ensure()
        let p = try start(["loop"])
        let f = makeTempDir() + "/root.out"
        XCTAssertEqual(ktrace(["-f", f, "-p", "\(p.pid)"]).status, 0)
        let dir = makeTempDir()
        // The other user may neither clear nor redirect root's tracing, nor attach to root's process.
        let clear = user.run([Products.ktrace, "-c", "-p", "\(p.pid)"], cwd: dir)
        XCTAssertEqual(clear.status, 1)
        XCTAssertTrue(clear.err.hasPrefix("ktrace: \(p.pid): Operation not permitted"), clear.err)
        let set = user.run([Products.ktrace, "-f", dir + "/u.out", "-p", "\(p.pid)"], cwd: dir)
        XCTAssertEqual(set.status, 1)
        XCTAssertTrue(set.err.hasPrefix("ktrace: \(p.pid): Operation not permitted"), set.err)
        XCTAssertEqual(user.run([Products.ktrace, "-C"], cwd: dir).status, 0)
        XCTAssertNotEqual(tracerPid(p.pid), 0, "root's tracing survives the other user's -C")
        // An untraced root process: ptrace itself refuses the other user.
        let q = try start(["loop"])
        let attach = user.run([Products.ktrace, "-f", dir + "/u2.out", "-p", "\(q.pid)"], cwd: dir)
        XCTAssertEqual(attach.status, 1)
        XCTAssertTrue(attach.err.hasPrefix("ktrace: \(q.pid): Operation not permitted"), attach.err)
        XCTAssertEqual(tracerPid(q.pid), 0)
        XCTAssertEqual(ktrace(["-c", "-p", "\(p.pid)"]).status, 0)
    }
}

/// Process-group members, from /proc.
enum ProcessTableForTests {
    /// (pid, ppid, pgrp) of every process.
    static func all() -> [(pid: Int32, ppid: Int32, pgrp: Int32)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard let pid = Int32(name), let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = s.lastIndex(of: ")") else { return nil }
            let f = s[s.index(after: close)...].split(separator: " ")
            guard f.count > 3, let ppid = Int32(f[1]), let pgrp = Int32(f[2]) else { return nil }
            return (pid, ppid, pgrp)
        }
    }
    static func children(of pid: Int32) -> [Int32] { all().filter { $0.ppid == pid }.map(\.pid) }
    static func pgrp(of pid: Int32) -> Int32 { all().first { $0.pid == pid }?.pgrp ?? 0 }
}
