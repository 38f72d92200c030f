import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The tracer runs on its tracee's CPU at SCHED_IDLE when the machine has room
/// (CPUSharing.swift). The tracee must not see it, and a busy machine must not make
/// the tracer wait behind other programs.
final class CPUSharingTests: KtraceTestCase {
    static let calls = "20000"

    /// The `CPU sharing N moves` count of the tracer's KTRACE_STATS line.
    static func moves(in stderr: String) -> Int? {
        for l in stderr.split(separator: "\n") where l.hasPrefix("ktrace: ") {
            guard let r = l.range(of: "CPU sharing ") else { continue }
            return Int(l[r.upperBound...].prefix { $0 != " " })
        }
        return nil
    }

    /// The CPUs this process may run on, as nproc(1) counts them (its affinity).
    func usableCPUs() -> Int {
        Int(runProcess("/usr/bin/nproc", []).out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1
    }

    func statsEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["KTRACE_STATS"] = "1"
        env.removeValue(forKey: "KTRACE_SHARE_CPU")
        return env
    }

    /// A syscall-heavy program on an otherwise idle machine: the tracer shares its CPU,
    /// and the program's affinity, policy and nice value are what they are untraced.
    func testSharedCPUIsInvisibleToTheTracee() throws {
        guard usableCPUs() > 1 else {
            throw XCTSkip("SKIPPED LOUDLY: one usable CPU, where ktrace never shares it; nothing to test")
        }
        let untraced = runProcess(Products.testprog, ["sched", "10"])
        XCTAssertEqual(untraced.status, 0)
        let t = trace(["sched", CPUSharingTests.calls], environment: statsEnvironment())
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(t.run.out, untraced.out)
        let moves = CPUSharingTests.moves(in: t.run.err)
        XCTAssertNotNil(moves, "no CPU sharing figure in: \(t.run.err)")
        XCTAssertGreaterThan(moves ?? 0, 0,
                             "the tracer never moved to its tracee's CPU (was another program keeping every CPU busy?)")
        XCTAssertEqual(t.records.calls("getppid").count, Int(CPUSharingTests.calls))
    }

    /// With every CPU kept busy by another program, the tracer does not share (it would
    /// wait behind them at every stop), and tracing completes with every record.
    func testBusyCPUsAreNotShared() throws {
        let n = usableCPUs()
        var hogs: [RunningProcess] = []
        defer {
            for h in hogs { kill(h.pid, SIGKILL); _ = h.finish() }
        }
        for _ in 0..<n {
            hogs.append(try RunningProcess("/bin/sh", ["-c", "while :; do :; done"]))
        }
        usleep(100_000)
        let t = trace(["sched", CPUSharingTests.calls], environment: statsEnvironment(), timeout: 120)
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(CPUSharingTests.moves(in: t.run.err), 0, t.run.err)
        XCTAssertEqual(t.records.calls("getppid").count, Int(CPUSharingTests.calls))
        XCTAssertEqual(t.records.ofType(.procdtor).count, 1)
    }

    /// `KTRACE_SHARE_CPU=0` turns sharing off.
    func testSharingCanBeTurnedOff() {
        var env = statsEnvironment()
        env["KTRACE_SHARE_CPU"] = "0"
        let t = trace(["sched", CPUSharingTests.calls], environment: env)
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(CPUSharingTests.moves(in: t.run.err), 0, t.run.err)
    }
}
