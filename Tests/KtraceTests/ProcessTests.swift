import Foundation
import KtraceFormat
import XCTest

/// Threads, exec from a thread, fork/vfork with and without -i, stops, SIGKILL, comm.
final class ProcessTests: KtraceTestCase {
    func testThreadsEachWriteWithItsOwnTid() throws {
        let n = 6
        let t = trace(["threads", String(n)])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        let leader = Int64(t.run.pid)
        XCTAssertEqual(Set(t.records.map(\.pid)), [t.run.pid], "every record carries the process id")
        XCTAssertEqual(t.records.calls("clone3").map(\.tid), Array(repeating: leader, count: n))
        // The leader's RETs of clone3 name the new threads.
        let created = t.records.filter { $0.isRet("clone3") && $0.tid == leader }.compactMap { $0.ret?.retval }
        XCTAssertEqual(created.count, n)
        XCTAssertEqual(Set(created).count, n, "thread ids are distinct")
        XCTAssertFalse(created.contains(leader))
        // Each thread's own RET clone3 0 and its write of "<index>\n", all under its tid.
        for tid in created {
            XCTAssertTrue(t.records.contains { $0.tid == tid && $0.isRet("clone3") && $0.ret?.retval == 0 }, "RET clone3 0 in \(tid)")
        }
        var written: [Int64: String] = [:]
        for i in t.records.indices where t.records[i].isCall("write") && t.records[i].tid != leader {
            let gio = try XCTUnwrap(t.records.sequence(afterCall: i).first?.gio)
            written[t.records[i].tid] = String(decoding: gio.data, as: UTF8.self)
        }
        XCTAssertEqual(Set(written.keys), Set(created))
        XCTAssertEqual(Set(written.values), Set((0..<n).map { "\($0)\n" }))
        // Each thread ends with exit(0), never returning.
        XCTAssertEqual(t.records.calls("exit").map(\.tid).sorted(), created.sorted())
    }

    func testExecFromANonLeaderThread() throws {
        let t = trace(["thread-exec", Products.testprog, "exitcode", "5"])
        XCTAssertEqual(t.run.status, 5, t.run.err)
        let leader = Int64(t.run.pid)
        // The first execve is ktrace's own (of the test program), the second the thread's.
        let execs = t.records.indices.filter { t.records[$0].isCall("execve") }
        XCTAssertEqual(execs.count, 2)
        let call = try XCTUnwrap(execs.last)
        let thread = t.records[call].tid
        XCTAssertNotEqual(thread, leader)
        XCTAssertEqual(t.records[call + 1].path, Products.testprog)
        // The exec's RET appears under the leader's tid (the execing thread took it over),
        // right after the new image's PROCCTOR (queued by the exec, written before the RET as on FreeBSD).
        let ret = try XCTUnwrap(t.records.firstRet("execve", from: call))
        XCTAssertEqual(t.records[ret].tid, leader)
        XCTAssertEqual(t.records[ret].ret?.error, 0)
        XCTAssertEqual(t.records[ret].ret?.retval, 0)
        let ctor = try XCTUnwrap(t.records[call...].firstIndex { $0.type == .procctor })
        XCTAssertEqual(ctor, ret - 1)
        XCTAssertEqual(t.records[ctor].svFlags, 0x203)
        XCTAssertEqual(t.records[ctor].tid, leader)
        // Nothing from the vanished threads afterwards; everything is the leader's.
        XCTAssertEqual(Set(t.records[ctor...].map(\.tid)), [leader])
        XCTAssertEqual(t.records.last(where: { $0.call != nil })?.call?.args, [5])
        XCTAssertEqual(t.records.last?.type, .procdtor)
    }

    func testForkWithoutInheritTracesOnlyTheParent() throws {
        for scenario in ["fork", "vfork"] {
            let t = trace([scenario])
            XCTAssertEqual(t.run.status, 0, t.run.err)
            XCTAssertEqual(Set(t.records.map(\.pid)), [t.run.pid], scenario)
            let child = try XCTUnwrap(t.records.firstRet(scenario).map { t.records[$0].ret!.retval })
            XCTAssertGreaterThan(child, 0)
            let w = try XCTUnwrap(t.records.firstCall("wait4"))
            XCTAssertEqual(t.records.sequence(afterCall: w).last?.ret?.retval, child, scenario)
        }
    }

    func testForkWithInherit() throws {
        let t = trace(["fork"], options: ["-i"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        let parent = t.run.pid
        let child = try XCTUnwrap(t.records.first { $0.isRet("fork") && $0.pid == parent }?.ret?.retval)
        let c = t.records.filter { $0.pid == Int32(child) }
        XCTAssertEqual(Set(c.map(\.tid)), [child])
        // PROCCTOR, RET fork 0, the write, exit_group(7), PROCDTOR.
        XCTAssertEqual(c.first?.svFlags, 0x203)
        XCTAssertEqual(c.dropFirst().first?.isRet("fork"), true)
        XCTAssertEqual(c.dropFirst().first?.ret?.retval, 0)
        let w = try XCTUnwrap(c.firstCall("write"))
        XCTAssertEqual(c.sequence(afterCall: w).first?.gio?.data, Array("child\n".utf8))
        XCTAssertEqual(c.calls("exit_group").map { $0.call!.args }, [[7]])
        XCTAssertEqual(c.last?.type, .procdtor)
        let wait = try XCTUnwrap(t.records.firstCall("wait4"))
        XCTAssertEqual(t.records[wait].pid, parent)
        XCTAssertEqual(t.records.sequence(afterCall: wait).last?.ret?.retval, child)
        XCTAssertEqual(t.records.last?.pid, parent)
        XCTAssertEqual(t.records.last?.type, .procdtor)
        XCTAssertTrue(kdumpBodies(t.file).contains("RET   fork 0"))
    }

    func testVforkWithInheritFollowsTheChildsExec() throws {
        let t = trace(["vfork"], options: ["-i"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        let child = try XCTUnwrap(t.records.first { $0.isRet("vfork") && $0.pid == t.run.pid }?.ret?.retval)
        let c = t.records.filter { $0.pid == Int32(child) }
        XCTAssertEqual(c.first?.type, .procctor)
        XCTAssertEqual(c.dropFirst().first?.ret?.retval, 0)
        let e = try XCTUnwrap(c.firstCall("execve"))
        XCTAssertEqual(c[e + 1].path, "/bin/true")
        let ret = try XCTUnwrap(c.firstRet("execve"))
        XCTAssertEqual(c[ret].comm, "true")
        XCTAssertEqual(c.calls("exit_group").last?.comm, "true")
        XCTAssertEqual(c.last?.type, .procdtor)
        // The parent resumes only after the child's exec.
        let parentRet = try XCTUnwrap(t.records.firstIndex { $0.isRet("vfork") && $0.pid == t.run.pid })
        let childExec = try XCTUnwrap(t.records.firstIndex { $0.isCall("execve") && $0.pid == Int32(child) })
        XCTAssertLessThan(childExec, parentRet)
    }

    func testStoppedCommandStaysStoppedUntilSIGCONT() throws {
        let f = makeTempDir() + "/t.out"
        let p = try RunningProcess(Products.ktrace, ["-b", "1000", "-f", f, Products.testprog, "sigstop"])
        // Stopped once the PSIG SIGSTOP is in the file (the writer flushes within ~50 ms).
        func stopped() -> Bool { ((try? readTrace(f)) ?? []).contains { $0.psig?.signo == SIGSTOP } }
        for _ in 0..<500 where !stopped() { usleep(20_000) }
        XCTAssertTrue(stopped(), "no PSIG SIGSTOP")
        // The process the test started is the command itself (ktrace execs it), and it stays
        // stopped: a group-stopped tracee held with PTRACE_LISTEN shows "t", untraced "T".
        for _ in 0..<10 {
            let s = (try? String(contentsOfFile: "/proc/\(p.pid)/stat", encoding: .utf8)) ?? ""
            XCTAssertTrue(s.hasPrefix("\(p.pid) (ktrace-testprog) t ") || s.hasPrefix("\(p.pid) (ktrace-testprog) T "), s)
            usleep(20_000)
        }
        kill(p.pid, SIGCONT)
        let r = p.finish(timeout: 10)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertFalse(r.signaled)
        let records = try readTrace(f)
        XCTAssertEqual(records.compactMap(\.psig).map(\.signo), [SIGSTOP])
        XCTAssertEqual(Set(records.map(\.pid)), [p.pid])
        XCTAssertEqual(records.last?.type, .procdtor)
    }

    func testJobControlSeesTheStop() {
        // bash with job control: the job shows as Stopped, continues with kill -CONT, exits 0.
        let f = makeTempDir() + "/t.out"
        let script = """
            set -m
            "$0" -f "$1" "$2" sigstop &
            pid=$!
            for i in $(seq 400); do jobs -l | grep -q Stopped && break; sleep 0.05; done
            jobs -l | grep -q Stopped && echo stopped
            kill -CONT $pid
            # Until bash has seen it continue, wait would report the stop again.
            for i in $(seq 400); do jobs -l | grep -q Stopped || break; sleep 0.05; done
            wait $pid
            echo "status $?"
            """
        let r = runProcess("/bin/bash", ["-c", script, Products.ktrace, f, Products.testprog], timeout: 20)
        XCTAssertEqual(r.out.split(separator: "\n").filter { !$0.hasPrefix("[") }, ["stopped", "status 0"])
    }

    func testSIGKILL() throws {
        let t = trace(["sigkill"])
        XCTAssertTrue(t.run.signaled)
        XCTAssertEqual(t.run.status, SIGKILL)
        let k = try XCTUnwrap(t.records.lastIndex { $0.isCall("kill") })
        XCTAssertEqual(t.records[k].call?.args[1], Int64(SIGKILL))
        // kill never returns and SIGKILL is never seen in a signal stop: just the end.
        XCTAssertEqual(t.records[(k + 1)...].map(\.type), [.procdtor])
    }

    func testKilledTracerLetsTheCommandRunOn() throws {
        let dir = makeTempDir()
        let p = try RunningProcess(Products.ktrace, ["-f", dir + "/t.out", Products.testprog, "loop"])
        func tracer() -> Int32 {
            let s = (try? String(contentsOfFile: "/proc/\(p.pid)/status", encoding: .utf8)) ?? ""
            return s.split(separator: "\n").first { $0.hasPrefix("TracerPid:") }
                .flatMap { Int32($0.dropFirst(10).trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        var t: Int32 = 0
        for _ in 0..<200 where t == 0 { t = tracer(); usleep(10_000) }
        XCTAssertGreaterThan(t, 0)
        XCTAssertEqual(kill(t, SIGKILL), 0)
        for _ in 0..<200 where tracer() != 0 { usleep(10_000) }
        XCTAssertEqual(tracer(), 0, "detached by the kernel")
        usleep(100_000)
        XCTAssertTrue(p.isRunning, "the command runs on untraced")
        kill(p.pid, SIGTERM)
        let r = p.finish(timeout: 10)
        XCTAssertTrue(r.signaled)
        XCTAssertEqual(r.status, SIGTERM)
        XCTAssertEqual(r.out, "\(p.pid)\n")
    }

    func testCommFollowsPrctlSetName() throws {
        let t = trace(["comm", "renamed-thing"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        let p = try XCTUnwrap(t.records.firstCall("prctl"))
        XCTAssertEqual(t.records[p].comm, "ktrace-testprog")
        let after = t.records[(p + 1)...]
        XCTAssertEqual(after.first?.isRet("prctl"), true)
        XCTAssertEqual(Set(after.map(\.comm)), ["renamed-thing"])
        XCTAssertTrue(after.contains { $0.isCall("getppid") })
    }
}
