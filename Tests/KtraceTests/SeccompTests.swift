import Foundation
import KtraceFormat
import LinuxABI
import XCTest

/// `-e` and the seccomp filter: the same records with and without the filter, no stop
/// for a syscall nobody asked for, children, i386, and a command that never outlives
/// its tracer while under the filter.
final class SeccompTests: KtraceTestCase {
    /// One run of ktrace, the filter on or off (KTRACE_NO_SECCOMP=1), with the stop count.
    struct Run {
        var result: RunResult
        var records: [TraceRecord]
        var stops: Int?
    }

    /// Runs `ktrace options -f <file> command` under `setarch -R` (no address randomisation,
    /// so that pointers in two runs match), with KTRACE_STATS=1. The environment differs
    /// between the two modes only in one digit, so the stack layout is the same too.
    func ktraceRun(_ options: [String], _ command: [String], filter: Bool, wrapper: [String] = [],
                   file: StaticString = #filePath, line: UInt = #line) -> Run {
        let out = makeTempDir() + "/ktrace.out"
        var env = ProcessInfo.processInfo.environment
        env["KTRACE_NO_SECCOMP"] = filter ? "0" : "1"
        env["KTRACE_STATS"] = "1"
        var result = RunResult(out: "", err: "", status: -1, signaled: false, pid: 0)
        do {
            let p = try RunningProcess("/usr/bin/setarch", ["-R"] + wrapper + [Products.ktrace] + options + ["-f", out] + command,
                                       environment: env)
            result = p.finish(file: file, line: line)
        } catch {
            XCTFail("cannot run ktrace: \(error)", file: file, line: line)
        }
        var records: [TraceRecord] = []
        do { records = try readTrace(out) } catch { XCTFail("reading \(out): \(error)", file: file, line: line) }
        return Run(result: result, records: records, stops: SeccompTests.stops(in: result.err))
    }

    /// The syscall name of a CALL (x86-64 table), nil for other records.
    static func callName(_ r: TraceRecord) -> String? { r.call == nil ? nil : r.syscallName() ?? "?" }

    /// The count in the tracer's `ktrace: N stops, tracer peak RSS M KiB` line.
    static func stops(in stderr: String) -> Int? {
        for l in stderr.split(separator: "\n") where l.hasPrefix("ktrace: ") && l.contains(" stops, tracer peak RSS ") {
            return Int(l.dropFirst(8).prefix { $0 != " " })
        }
        return nil
    }

    /// A record without what legitimately differs between two runs: times, pids and tids,
    /// and the contents of a STRU (a stat of a file made by the run has its own inode and
    /// times). Records of the ktrace process before its exec are left out (its own memory,
    /// and so the execve's pointers, differ: one run built a filter there).
    static func comparable(_ records: [TraceRecord]) -> [String] {
        records.filter { $0.comm != "ktrace" }.map { r in
            let bytes = r.structure.map { Array($0.name.utf8) + [UInt8(truncatingIfNeeded: $0.data.count)] } ?? r.payload
            return "\(r.header.type) \(r.comm) \(bytes.map { String($0, radix: 16) }.joined(separator: ","))"
        }
    }

    /// A command that cannot load the filter (a sandbox forbids seccomp(2)) says so and is
    /// traced as without one: every syscall stops, and the records are the same.
    func testFilterThatCannotLoadFallsBackToStoppingEverySyscall() {
        let sandbox = [Products.testprog, "no-seccomp"]
        let command = [Products.testprog, "getppid", "5"]
        let failed = ktraceRun(["-e", "getppid"], command, filter: true, wrapper: sandbox)
        let plain = ktraceRun(["-e", "getppid"], command, filter: false, wrapper: sandbox)
        let loaded = ktraceRun(["-e", "getppid"], command, filter: true)
        XCTAssertEqual(failed.result.status, 0, failed.result.err)
        XCTAssertTrue(failed.result.err.contains(
            "ktrace: seccomp filter not installed (Operation not permitted): every syscall stops\n"), failed.result.err)
        XCTAssertFalse(plain.result.err.contains("seccomp filter not installed"), plain.result.err)
        XCTAssertEqual(failed.records.calls("getppid").count, 5)
        XCTAssertEqual(SeccompTests.comparable(failed.records), SeccompTests.comparable(plain.records))
        XCTAssertEqual(SeccompTests.comparable(failed.records), SeccompTests.comparable(loaded.records))
        // Every syscall stops, as without a filter (give or take the handshake before
        // the exec), many more than with the filter loaded.
        let f = failed.stops ?? 0, p = plain.stops ?? 0
        XCTAssertLessThanOrEqual(abs(f - p), 4, "stops: \(f) with a failed filter, \(p) without one")
        XCTAssertGreaterThan(f, 2 * (loaded.stops ?? .max))
    }

    /// Traces `command` with and without the filter; both must succeed with the same records.
    @discardableResult
    func assertSameRecords(_ options: [String], _ command: [String], before: () -> Void = {},
                           file: StaticString = #filePath, line: UInt = #line) -> (filtered: Run, plain: Run) {
        before()
        let filtered = ktraceRun(options, command, filter: true, file: file, line: line)
        before()
        let plain = ktraceRun(options, command, filter: false, file: file, line: line)
        XCTAssertEqual(filtered.result.status, 0, filtered.result.err, file: file, line: line)
        XCTAssertEqual(plain.result.status, 0, plain.result.err, file: file, line: line)
        let a = SeccompTests.comparable(filtered.records), b = SeccompTests.comparable(plain.records)
        XCTAssertFalse(a.isEmpty, "no records", file: file, line: line)
        XCTAssertEqual(a.count, b.count, "record counts differ", file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where x != y {
            XCTFail("record \(i) differs:\n  filtered: \(x)\n  plain:    \(y)", file: file, line: line)
            break
        }
        // Fewer stops with the filter: the proof that it was there.
        XCTAssertLessThan(filtered.stops ?? .max, plain.stops ?? 0, file: file, line: line)
        return (filtered, plain)
    }

    // MARK: same records

    func testNameiOnlyOfLsSameWithAndWithoutFilter() {
        let (f, _) = assertSameRecords(["-t", "n"], ["/bin/ls", "/"])
        XCTAssertTrue(f.records.contains { $0.path == "/" })
        XCTAssertEqual(Set(f.records.compactMap(\.type)), [.namei, .procctor, .procdtor])
    }

    func testSelectedSyscallsOfPathsSameWithAndWithoutFilter() {
        let dir = makeTempDir()
        let clear = { for n in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            try? FileManager.default.removeItem(atPath: dir + "/" + n) } }
        let (f, _) = assertSameRecords(["-t", "cnit", "-e", "openat,write,%stat"], [Products.testprog, "paths", dir],
                                       before: clear)
        let names = Set(f.records.filter { $0.comm != "ktrace" }.compactMap { $0.syscallName() })
        XCTAssertTrue(names.isSuperset(of: ["openat", "write", "newfstatat"]), "\(names)")
        XCTAssertTrue(names.isDisjoint(with: ["mkdir", "renameat", "unlinkat", "faccessat", "close", "mmap"]), "\(names)")
        // Selected: its GIO and STRU are there; not selected: mkdir has no CALL, no NAMI.
        XCTAssertTrue(f.records.contains { $0.gio?.data == Array("hello".utf8) })
        XCTAssertTrue(f.records.contains { $0.structure?.name == "stat" })
        XCTAssertFalse(f.records.contains { $0.path == dir + "/d" })
    }

    /// `-t s`: rt_sigaction is trapped for the handler addresses and learnt at its entry
    /// (one stop); the PSIG records, handler included, match a trace without the filter.
    func testSignalsOnlySameWithAndWithoutFilter() throws {
        let (f, _) = assertSameRecords(["-t", "s"], [Products.testprog, "signals"])
        let psig = try XCTUnwrap(f.records.first { $0.type == .psig })
        XCTAssertGreaterThan(try XCTUnwrap(psig.psig).action, 1)   // caught: neither SIG_DFL nor SIG_IGN
    }

    /// Under the filter rt_sigaction does not stop at all, whether it sets an action
    /// (gcc sets hundreds in a build) or only asks for one (Python does, for every
    /// signal at start): 1000 more calls cost no stop. The handler a PSIG shows is
    /// learnt at the delivery, and is the one set last, as without the filter.
    func testSignalActionCallsDoNotStop() throws {
        for scenario in ["sigsets", "sigquery"] {
            let few = ktraceRun(["-t", "s"], [Products.testprog, scenario, "10"], filter: true)
            let many = ktraceRun(["-t", "s"], [Products.testprog, scenario, "1010"], filter: true)
            for r in [few, many] { XCTAssertEqual(r.result.status, 0, r.result.err) }
            XCTAssertLessThanOrEqual(abs(try XCTUnwrap(many.stops) - XCTUnwrap(few.stops)), 10, scenario)
            let (f, p) = assertSameRecords(["-t", "s"], [Products.testprog, scenario, "100"])
            let psigs = f.records.compactMap(\.psig)
            XCTAssertEqual(psigs.map(\.signo), [SIGUSR1], scenario)
            XCTAssertGreaterThan(try XCTUnwrap(psigs.first).action, 1, scenario)   // the handler `signals` set
            XCTAssertEqual(p.records.compactMap(\.psig).map(\.action), psigs.map(\.action), scenario)
        }
        // Recording rt_sigaction itself stops at every call: 1000 more queries, 1000 more CALLs.
        func recorded(_ n: String) -> Int {
            ktraceRun(["-e", "rt_sigaction"], [Products.testprog, "sigquery", n], filter: true)
                .records.filter { $0.isCall("rt_sigaction") }.count
        }
        XCTAssertEqual(recorded("1010") - recorded("10"), 1000)
    }

    // MARK: stops

    /// With `-e openat` the getppid loop costs no stop at all: 1000 and 3000 iterations
    /// give the same count, but for a few start-up stops. Without the filter every call stops twice.
    func testUntracedSyscallsDoNotStop() throws {
        let few = ktraceRun(["-e", "openat"], [Products.testprog, "getppid", "1000"], filter: true)
        let many = ktraceRun(["-e", "openat"], [Products.testprog, "getppid", "3000"], filter: true)
        let plain = ktraceRun(["-e", "openat"], [Products.testprog, "getppid", "3000"], filter: false)
        for r in [few, many, plain] { XCTAssertEqual(r.result.status, 0, r.result.err) }
        // 2000 more calls would be 4000 more stops; a couple of start-up stops vary under load.
        XCTAssertLessThanOrEqual(abs(try XCTUnwrap(many.stops) - XCTUnwrap(few.stops)), 10)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(plain.stops), 6000)
        // -e openat: only openat's CALL/RET (and the execve that starts the trace is not one of them).
        let calls = Set(many.records.compactMap(SeccompTests.callName))
        XCTAssertEqual(calls, ["openat"])
        XCTAssertFalse(many.records.contains { $0.isCall("getppid") || $0.isRet("getppid") })
    }

    /// A trace that needs nothing at a syscall's exit stops once per trapped syscall:
    /// `-t n` records the NAMI at the entry, so 2000 more access calls are 2000 more
    /// stops; with `c` (CALL and RET) they are 4000. The NAMI records are all there.
    func testNameiOnlyStopsOncePerSyscall() throws {
        func run(_ t: String, _ n: String) -> Run { ktraceRun(["-t", t], [Products.testprog, "access", n], filter: true) }
        let few = run("n", "1000"), many = run("n", "3000")
        let fewCalls = run("cn", "1000"), manyCalls = run("cn", "3000")
        for r in [few, many, fewCalls, manyCalls] { XCTAssertEqual(r.result.status, 0, r.result.err) }
        XCTAssertEqual(Double(try XCTUnwrap(many.stops) - XCTUnwrap(few.stops)), 2000, accuracy: 10)
        XCTAssertEqual(Double(try XCTUnwrap(manyCalls.stops) - XCTUnwrap(fewCalls.stops)), 4000, accuracy: 10)
        func count(_ r: Run, _ p: (TraceRecord) -> Bool) -> Int { r.records.filter(p).count }
        XCTAssertEqual(count(many, { $0.path == "/" }) - count(few, { $0.path == "/" }), 2000)
        XCTAssertEqual(count(manyCalls, { $0.isRet("access") }) - count(fewCalls, { $0.isRet("access") }), 2000)
    }

    /// A child without -i is kept under the filter but records nothing: one stop per
    /// trapped syscall, none at its exit.
    func testSilentChildStopsOncePerSyscall() throws {
        func run(_ n: String) -> Run {
            ktraceRun(["-t", "n"], ["/bin/sh", "-c", "\(Products.testprog) access \(n); exit 0"], filter: true)
        }
        let few = run("1000"), many = run("3000")
        for r in [few, many] { XCTAssertEqual(r.result.status, 0, r.result.err) }
        XCTAssertEqual(Double(try XCTUnwrap(many.stops) - XCTUnwrap(few.stops)), 2000, accuracy: 20)
        XCTAssertFalse(many.records.contains { $0.path == "/" })
    }

    /// `-i`: the children of the command are under the filter (inherited across fork and
    /// exec) and followed; their untraced syscalls do not stop either.
    func testChildrenWithInheritAreFiltered() throws {
        func shell(_ n: String) -> [String] { ["/bin/sh", "-c", "\(Products.testprog) getppid \(n); \(Products.testprog) fork"] }
        let few = ktraceRun(["-i", "-e", "openat,write"], shell("1000"), filter: true)
        let many = ktraceRun(["-i", "-e", "openat,write"], shell("3000"), filter: true)
        for r in [few, many] { XCTAssertEqual(r.result.status, 0, r.result.err) }
        // 2000 more getppid calls would be 4000 more stops; the shell's own wait4 and
        // SIGCHLD timing may add one or two.
        XCTAssertLessThan(abs(try XCTUnwrap(few.stops) - (try XCTUnwrap(many.stops))), 20)
        // The grandchild of fork writes "child" with a pid of its own.
        let write = try XCTUnwrap(many.records.first { $0.gio?.data == Array("child\n".utf8) })
        let parents = Set(many.records.filter { $0.comm == "sh" }.map(\.pid))
        XCTAssertFalse(parents.contains(write.pid))
        XCTAssertEqual(Set(many.records.compactMap(SeccompTests.callName)), ["openat", "write"])
    }

    /// Without -i the children still carry the filter: they are followed (no ENOSYS for
    /// their trapped syscalls) but not recorded.
    func testChildrenWithoutInheritRunNormallyAndAreNotRecorded() {
        let r = ktraceRun(["-t", "n"], ["/bin/sh", "-c", "/bin/ls / >/dev/null && exit 3"], filter: true)
        XCTAssertEqual(r.result.status, 3, r.result.err)
        XCTAssertEqual(Set(r.records.map(\.pid)).count, 1)
        XCTAssertFalse(r.records.contains { $0.path == "/" })
    }

    // MARK: i386

    func testInt80FromX8664() throws {
        let (f, _) = assertSameRecords(["-t", "c", "-e", "write"], [Products.testprog, "int80"])
        XCTAssertEqual(f.result.out, "int80\n")
        // i386 write is 4 (x86-64's stat): selected by name on the i386 table; i386 getpid (20) is not.
        let call = try XCTUnwrap(f.records.first { $0.call?.code == 4 }?.call)
        XCTAssertEqual(call.args.first, 1)
        XCTAssertEqual(call.args.last, 6)
        XCTAssertFalse(f.records.contains { $0.call?.code == 20 })
    }

    /// A 32-bit build of the test program (gcc -m32; skipped only if the toolchain cannot build one).
    func buildI386Testprog() throws -> String {
        let prog = makeTempDir() + "/testprog32"
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let cc = runProcess("/usr/bin/gcc", ["-m32", "-O1", "-I\(root)/Sources/KtraceUtrace/include", "-o", prog,
                                             "\(root)/Sources/ktrace-testprog/main.c", "\(root)/Sources/KtraceUtrace/utrace.c", "-lpthread"],
                            timeout: 120)
        try XCTSkipIf(cc.status != 0, "gcc -m32 cannot build here: \(cc.err)")
        return prog
    }

    func testI386Program() throws {
        let prog = try buildI386Testprog()
        let work = makeTempDir()
        let clear = { for n in (try? FileManager.default.contentsOfDirectory(atPath: work)) ?? [] {
            try? FileManager.default.removeItem(atPath: work + "/" + n) } }
        let (f, _) = assertSameRecords(["-t", "cn", "-e", "%file"], [prog, "paths", work], before: clear)
        XCTAssertEqual(f.records.first { $0.comm != "ktrace" && $0.type == .procctor }?.svFlags, SVFlags.linux32)
        XCTAssertTrue(f.records.contains { $0.call?.code == 39 })   // i386 mkdir
        XCTAssertTrue(f.records.contains { $0.path == work + "/d" })
        // And its untraced syscalls cost no stop.
        let few = ktraceRun(["-e", "openat"], [prog, "getppid", "1000"], filter: true)
        let many = ktraceRun(["-e", "openat"], [prog, "getppid", "3000"], filter: true)
        // 2000 more getppid calls would be 4000 more stops if they stopped; a couple of
        // stops around start-up and exit vary from run to run on a loaded machine.
        XCTAssertLessThanOrEqual(abs(try XCTUnwrap(many.stops) - XCTUnwrap(few.stops)), 10)
    }

    /// An i386 process's structs reach the trace in the x86-64 layouts, so they decode
    /// to what a 64-bit build of the same program records.
    func testI386StructsAreWidened() throws {
        let prog = try buildI386Testprog()
        func structs(_ command: [String]) -> [String: [LinuxStruct]] {
            let r = ktraceRun(["-t", "t"], command, filter: true)
            XCTAssertEqual(r.result.status, 0, r.result.err)
            var byName: [String: [LinuxStruct]] = [:]
            for s in r.records.compactMap(\.structure) {
                let decoded = s.data.withUnsafeBytes { data in
                    Array(s.name.utf8).withUnsafeBytes { LinuxStruct.decode(name: $0, data: data) }
                }
                guard case .value(let v) = decoded else { XCTFail("STRU \(s.name) does not decode"); continue }
                byName[s.name, default: []].append(v)
            }
            return byName
        }
        let narrow = structs([prog, "structs"]), wide = structs([Products.testprog, "structs"])
        XCTAssertEqual(narrow["timespec"]?.count, 1)
        if case .timespec(let ts)? = narrow["timespec"]?.first {
            XCTAssertEqual(ts, LinuxTimespec(seconds: 0, fraction: 1_000_000))
        } else { XCTFail("no timespec: \(narrow)") }
        if case .itimerval(let it)? = narrow["itimerval"]?.first {
            XCTAssertEqual(it.value, LinuxTimespec(seconds: 100, fraction: 0))
        } else { XCTFail("no itimerval: \(narrow)") }
        XCTAssertEqual(narrow["itimerval"]?.count, 2)
        if case .rlimit(let n)? = narrow["rlimit"]?.first, case .rlimit(let w)? = wide["rlimit"]?.first {
            XCTAssertEqual(n, w)
        } else { XCTFail("no rlimit: \(narrow) \(wide)") }

        // sigaction, the last two in `signals`: a handler for SIGUSR1 (a 32-bit address),
        // then SIG_IGN for SIGUSR2, each with the mask a 64-bit build has. (Flags differ:
        // x86-64's glibc adds SA_RESTORER, i386's does not need it.)
        let narrowSig = structs([prog, "signals"])["sigaction"] ?? [], wideSig = structs([Products.testprog, "signals"])["sigaction"] ?? []
        XCTAssertGreaterThanOrEqual(narrowSig.count, 2)
        XCTAssertGreaterThanOrEqual(wideSig.count, 2)
        for (n, w) in zip(narrowSig.suffix(2), wideSig.suffix(2)) {
            guard case .sigaction(let n) = n, case .sigaction(let w) = w else { XCTFail("not sigactions"); continue }
            XCTAssertEqual(n.mask, w.mask)
            XCTAssertEqual(n.handler == 1, w.handler == 1)
            XCTAssertLessThan(n.handler, 1 << 32)
        }
        if case .sigaction(let n)? = narrowSig.suffix(2).first { XCTAssertGreaterThan(n.handler, 1) }
        if case .sigaction(let n)? = narrowSig.last { XCTAssertEqual(n.handler, 1) }   // SIG_IGN

        // stat64 (fstatat64 in `paths`): the file it wrote, 5 bytes, regular, ours.
        let work = makeTempDir()
        let stats = structs([prog, "paths", work])["stat"] ?? []
        XCTAssertEqual(stats.count, 1)
        if case .stat(let st)? = stats.first {
            XCTAssertEqual(st.mode & 0o170000, 0o100000)
            XCTAssertEqual(st.uid, getuid())
            XCTAssertEqual(st.nlink, 1)
            XCTAssertEqual(st.size, 5)
            XCTAssertGreaterThan(st.ino, 0)
            XCTAssertGreaterThan(st.mtime.seconds, 1_700_000_000)
        } else { XCTFail("no stat: \(stats)") }
    }

    // MARK: the tracer killed

    /// Under the filter a process without its tracer would get ENOSYS from every trapped
    /// syscall: ktrace makes the kernel kill the traced processes with the tracer.
    func testCommandDiesWithItsTracer() throws {
        let p = try RunningProcess(Products.ktrace, ["-i", "-t", "n", "-f", makeTempDir() + "/ktrace.out", "/bin/sh", "-c",
                                                     "\(Products.testprog) loop & exec \(Products.testprog) loop"])
        var traced: [Int32] = []
        var tracer: Int32 = 0
        for _ in 0..<200 where traced.count < 2 {
            usleep(20_000)
            tracer = SeccompTests.statusField(p.pid, "TracerPid") ?? 0
            traced = tracer > 0 ? SeccompTests.processes(tracedBy: tracer) : []
        }
        XCTAssertEqual(traced.count, 2, "both loops traced")
        for pid in traced { XCTAssertGreaterThanOrEqual(SeccompTests.statusField(pid, "Seccomp_filters") ?? 0, 1) }
        XCTAssertEqual(kill(tracer, SIGKILL), 0)
        let r = p.finish(timeout: 10)
        XCTAssertTrue(r.signaled)
        XCTAssertEqual(r.status, SIGKILL)
        for _ in 0..<100 where traced.contains(where: SeccompTests.isRunning) { usleep(20_000) }
        for pid in traced { XCTAssertFalse(SeccompTests.isRunning(pid), "\(pid) still running without its tracer") }
    }

    static func statusField(_ pid: Int32, _ name: String) -> Int32? {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for l in s.split(separator: "\n") where l.hasPrefix(name + ":") {
            return Int32(l.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    static func processes(tracedBy tracer: Int32) -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
        return pids.filter { statusField($0, "TracerPid") == tracer }
    }

    /// Exists and is not a zombie.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = s.lastIndex(of: ")") else { return false }
        return !s[close...].hasPrefix(") Z") && !s[close...].hasPrefix(") X")
    }

    // MARK: bad expressions

    func testBadExpressionIsOneLineNamingTheWord() {
        for (expr, bad) in [("openat,opnat", "opnat"), ("%file,%nosuch", "%nosuch"), ("!read,,write", ""), ("openat,%", "%")] {
            let r = ktrace(["-e", expr, "-f", makeTempDir() + "/ktrace.out", "/bin/true"])
            XCTAssertEqual(r.status, 1, expr)
            XCTAssertEqual(r.err, "ktrace: unknown syscall or class in -e: '\(bad)'\n", expr)
        }
    }

    /// Negation: `!` before the list negates it; `!item` inside it takes the item away.
    func testNegation() throws {
        let all = ktraceRun(["-t", "c", "-e", "!getppid,write"], [Products.testprog, "getppid", "3"], filter: true)
        let names = Set(all.records.compactMap(SeccompTests.callName))
        XCTAssertFalse(names.contains("getppid"))
        XCTAssertFalse(names.contains("write"))
        XCTAssertTrue(names.contains("exit_group"))
        let some = ktraceRun(["-t", "c", "-e", "%process,!exit_group"], [Products.testprog, "getppid", "3"], filter: true)
        let names2 = Set(some.records.compactMap(SeccompTests.callName))
        XCTAssertEqual(names2, ["execve"])
    }
}
