import Foundation
import KtraceFormat
import XCTest

/// PSIG records and the command's own exit status.
final class SignalTests: KtraceTestCase {
    func testCaughtSignalCarriesTheInstalledHandler() throws {
        let t = trace(["signals"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(t.run.signaled, false)
        // The handler rt_sigaction installed, from its STRU sigaction (sa_handler first).
        let i = try XCTUnwrap(t.records.indices.first { t.records[$0].isCall("rt_sigaction") && t.records[$0].call?.args[0] == Int64(SIGUSR1) })
        let act = try XCTUnwrap(t.records.sequence(afterCall: i).first { $0.type == .structure }?.structure)
        XCTAssertEqual(act.name, "sigaction")
        let handler = act.data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertGreaterThan(handler, 1)

        let psigs = t.records.compactMap(\.psig)
        // SIGUSR2 is ignored: Linux shows it to the tracer, FreeBSD never delivers it; no PSIG.
        XCTAssertEqual(psigs.map(\.signo), [SIGUSR1])
        XCTAssertEqual(psigs.first?.action, handler)
        XCTAssertEqual(psigs.first?.code, 0)        // SI_USER
        XCTAssertEqual(psigs.first?.mask, 0)
        // The PSIG comes after kill's RET (delivery on the way back to user mode), then the handler returns.
        let p = try XCTUnwrap(t.records.firstIndex { $0.type == .psig })
        XCTAssertEqual(t.records[p - 1].isRet("kill"), true)
        XCTAssertEqual(t.records[p + 1].isCall("rt_sigreturn"), true)
        let hex = "0x" + String(handler, radix: 16)
        XCTAssertTrue(kdumpBodies(t.file).contains("PSIG  SIGUSR1 caught handler=\(hex) mask=0x0 code=SI_USER"))
        // The ignored SIGUSR2 still reached the process harmlessly: kill returned 0 and the program went on.
        let k2 = try XCTUnwrap(t.records.indices.last { t.records[$0].isCall("kill") })
        XCTAssertEqual(t.records[k2].call?.args[1], Int64(SIGUSR2))
        XCTAssertEqual(t.records.sequence(afterCall: k2).map(\.type), [.sysret])
    }

    func testDefaultActionKillsAndStatusIsTheCommands() throws {
        let t = trace(["sigdefault"])
        XCTAssertTrue(t.run.signaled)
        XCTAssertEqual(t.run.status, SIGTERM)
        XCTAssertEqual(t.run.shellStatus, 143)
        let psig = try XCTUnwrap(t.records.compactMap(\.psig).first)
        XCTAssertEqual(psig.signo, SIGTERM)
        XCTAssertEqual(psig.action, PsigPayload.sigDFL)
        XCTAssertEqual(t.records.ofType(.psig).count, 1)
        XCTAssertTrue(kdumpBodies(t.file).contains("PSIG  SIGTERM SIG_DFL code=SI_USER"))
        XCTAssertEqual(t.records.last?.type, .procdtor)
        // What a shell sees.
        let sh = runProcess("/bin/sh", ["-c", "\"$0\" -f \"$1\" \"$2\" sigdefault; echo $?", Products.ktrace, t.file, Products.testprog])
        XCTAssertEqual(sh.out, "143\n")
    }

    func testDefaultIgnoredSigchldHasNoPsig() throws {
        let t = trace(["sigchld"])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        XCTAssertEqual(t.records.ofType(.psig).count, 0)
        let w = try XCTUnwrap(t.records.firstCall("wait4"))
        let clone = try XCTUnwrap(t.records.firstRet("clone"))
        XCTAssertEqual(t.records.sequence(afterCall: w).last?.ret?.retval, t.records[clone].ret?.retval)
        // Without -i the child is not traced.
        XCTAssertEqual(Set(t.records.map(\.pid)), [t.run.pid])
    }

    func testExitStatusPreserved() {
        let t = trace(["exitcode", "42"])
        XCTAssertEqual(t.run.status, 42)
        XCTAssertFalse(t.run.signaled)
        XCTAssertEqual(t.records.last(where: { $0.call != nil })?.call?.args, [42])
        XCTAssertEqual(t.records.last?.type, .procdtor)
    }

    func testExecFailure() {
        let dir = makeTempDir()
        let r = ktrace(["-f", dir + "/t.out", "/nonexistent"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "ktrace: exec of '/nonexistent' failed: No such file or directory\n")
        XCTAssertEqual(r.out, "")
    }
}
