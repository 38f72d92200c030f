import Foundation
import KtraceFormat
import XCTest

/// A set-user-id program run under ktrace by an unprivileged user: as on FreeBSD,
/// tracing stops at its exec so that it runs with its privileges.
final class SetuidTests: KtraceTestCase {
    func testUnprivilegedUserTracingASetuidProgram() throws {
        guard getuid() == 0 else {
            throw XCTSkip("NOT RUN: needs root to make a setuid-root copy of ktrace-testprog and an unprivileged user")
        }
        let user = try TestUser.ensure()
        let bin = makeTempDir()
        let helper = bin + "/setuid-helper"
        try FileManager.default.copyItem(atPath: Products.testprog, toPath: helper)
        XCTAssertEqual(chown(helper, 0, 0), 0)
        XCTAssertEqual(chmod(helper, 0o4755), 0)
        for p in [Products.ktrace, helper] {
            XCTAssertEqual(access(p, X_OK), 0, p)
        }
        // Untraced, as that user: real uid theirs, effective uid root.
        let cwd = makeTempDir()
        let plain = user.run([helper, "setuid-helper"], cwd: cwd)
        XCTAssertEqual(plain.out, "\(user.uid) 0\n", plain.err)

        let r = user.run([Products.ktrace, "-b", "1000", helper, "setuid-helper"], cwd: cwd)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "\(user.uid) 0\n", "ran with its privileges")
        XCTAssertEqual(r.err, "ktrace: \(r.pid): \(helper) is set-id: tracing stopped so that it runs with its privileges\n")
        // The trace has the exec's CALL and NAMI and ends there with a PROCDTOR.
        let records = try readTrace(cwd + "/ktrace.out")
        let exec = try XCTUnwrap(records.firstCall("execve"))
        XCTAssertEqual(records[exec + 1].path, helper)
        XCTAssertEqual(records[(exec + 2)...].map(\.type), [.procdtor])
        XCTAssertEqual(Set(records.map(\.pid)), [r.pid])
    }

    /// Under the seccomp filter (`-t n`) an unprivileged user's command gets no_new_privs
    /// before the filter: the set-id program runs without its privileges and stays traced
    /// (letting it go would leave its trapped syscalls failing with ENOSYS).
    func testUnprivilegedUserUnderTheFilterKeepsTracing() throws {
        guard getuid() == 0 else {
            throw XCTSkip("NOT RUN: needs root to make a setuid-root copy of ktrace-testprog and an unprivileged user")
        }
        let user = try TestUser.ensure()
        let helper = makeTempDir() + "/setuid-helper"
        try FileManager.default.copyItem(atPath: Products.testprog, toPath: helper)
        XCTAssertEqual(chown(helper, 0, 0), 0)
        XCTAssertEqual(chmod(helper, 0o4755), 0)
        let cwd = makeTempDir()
        let r = user.run([Products.ktrace, "-b", "1000", "-t", "n", helper, "setuid-helper"], cwd: cwd)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "\(user.uid) \(user.uid)\n", "ran without its privileges")
        XCTAssertEqual(r.err, "ktrace: \(r.pid): \(helper) is set-id: it runs without its privileges under "
                       + "ktrace's seccomp filter (no_new_privs); tracing continues\n")
        // Still traced after the exec: the NAMI of the libraries it loads, then its PROCDTOR.
        let records = try readTrace(cwd + "/ktrace.out")
        XCTAssertTrue(records.contains { $0.path == "/etc/ld.so.cache" }, "no records after the exec")
        XCTAssertEqual(records.last?.type, .procdtor)
    }

    func testRootTracesASetuidProgramThroughout() throws {
        guard getuid() == 0 else { throw XCTSkip("NOT RUN: needs root") }
        let bin = makeTempDir()
        let helper = bin + "/setuid-helper"
        try FileManager.default.copyItem(atPath: Products.testprog, toPath: helper)
        XCTAssertEqual(chmod(helper, 0o4755), 0)
        let t = trace(["setuid-helper"], command: [helper, "setuid-helper"])
        XCTAssertEqual(t.run.status, 0)
        XCTAssertEqual(t.run.err, "")
        XCTAssertEqual(t.run.out, "0 0\n")
        XCTAssertNotNil(t.records.firstCall("geteuid"))
        XCTAssertEqual(t.records.last?.type, .procdtor)
    }
}
