import Foundation
import KtraceFormat
import XCTest

/// The trace file (recreate, -a, ownership, symlinks), usage errors, the request pool
/// and write failures.
final class TraceFileTests: KtraceTestCase {
    let usage = """
        usage: ktrace [-aCcdiW] [-b poolsize] [-e syscalls] [-f trfile] [-g pgrp | -p pid] [-s geniosize] [-t trstr]
               ktrace [-adiW] [-b poolsize] [-e syscalls] [-f trfile] [-s geniosize] [-t trstr] command

        """

    func mode(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode : 0
    }

    func testFileIsRecreatedWithMode0600() throws {
        let f = makeTempDir() + "/t.out"
        FileManager.default.createFile(atPath: f, contents: Data(repeating: 0x41, count: 1000),
                                       attributes: [.posixPermissions: 0o644])
        let r = ktrace(["-b", "1000", "-f", f, Products.testprog, "exitcode", "0"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(mode(f), S_IFREG | 0o600)
        let records = try readTrace(f)
        XCTAssertEqual(records.first?.type, .procctor, "old contents gone")
        XCTAssertEqual(Set(records.map(\.pid)), [r.pid])
    }

    func testAppendKeepsBothRuns() throws {
        let f = makeTempDir() + "/t.out"
        let a = ktrace(["-b", "1000", "-f", f, Products.testprog, "exitcode", "1"])
        let first = try readTrace(f).count
        let b = ktrace(["-b", "1000", "-a", "-f", f, Products.testprog, "exitcode", "2"])
        XCTAssertEqual([a.status, b.status], [1, 2])
        let records = try readTrace(f)
        XCTAssertEqual(records.prefix(first).map(\.pid), Array(repeating: a.pid, count: first))
        XCTAssertEqual(Set(records.dropFirst(first).map(\.pid)), [b.pid])
        XCTAssertEqual(records.filter { $0.isCall("exit_group") }.map { $0.call!.args }, [[1], [2]])
        XCTAssertEqual(records.ofType(.procdtor).map(\.pid), [a.pid, b.pid])
        // -a creates a missing file too.
        let g = makeTempDir() + "/new.out"
        XCTAssertEqual(ktrace(["-a", "-f", g, Products.testprog, "exitcode", "0"]).status, 0)
        XCTAssertEqual(mode(g), S_IFREG | 0o600)
    }

    func testAppendRefusesAFileOwnedByAnotherUser() throws {
        guard getuid() == 0 else { throw XCTSkip("NOT RUN: needs root to give a file to another user") }
        let f = makeTempDir() + "/t.out"
        FileManager.default.createFile(atPath: f, contents: Data())
        XCTAssertEqual(chown(f, 65534, 65534), 0)   // nobody
        let r = ktrace(["-a", "-f", f, Products.testprog, "exitcode", "0"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "ktrace: refuse to append to \(f) not owned by you\n")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: f)[.size] as? Int, 0)
    }

    func testAppendRefusesANonRegularFile() {
        let r = ktrace(["-a", "-f", "/dev/null", Products.testprog, "exitcode", "0"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "ktrace: /dev/null not regular file\n")
        let fifo = makeTempDir() + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let p = ktrace(["-a", "-f", fifo, Products.testprog, "exitcode", "0"])
        // Opened non-blocking as FreeBSD does: a FIFO without a reader fails at open.
        XCTAssertEqual(p.status, 1)
        XCTAssertEqual(p.err, "ktrace: \(fifo): No such device or address\n")
    }

    func testSymlinkAtTheLastComponentIsNotFollowed() throws {
        let dir = makeTempDir()
        let target = dir + "/target", link = dir + "/link"
        FileManager.default.createFile(atPath: target, contents: Data("keep".utf8))
        XCTAssertEqual(symlink(target, link), 0)
        let a = ktrace(["-a", "-f", link, Products.testprog, "exitcode", "0"])
        XCTAssertEqual(a.status, 1)
        XCTAssertEqual(a.err, "ktrace: \(link): Too many levels of symbolic links\n")
        // Without -a the link itself is replaced (unlink never follows); the target is untouched.
        let r = ktrace(["-f", link, Products.testprog, "exitcode", "0"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(mode(link), S_IFREG | 0o600)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "keep")
        XCTAssertFalse(try readTrace(link).isEmpty)
    }

    func testUnwritableDirectory() throws {
        let user = try TestUser.ensure()
        let cwd = makeTempDir()
        let locked = makeTempDir()   // root's, 0755
        let r = user.run([Products.ktrace, "-f", locked + "/t.out", Products.testprog, "exitcode", "0"], cwd: cwd)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "ktrace: \(locked)/t.out: Permission denied\n")
    }

    func testUsageErrors() {
        let none = ktrace([])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.err, usage)
        let q = ktrace(["-t", "q", "true"])
        XCTAssertEqual(q.status, 1)
        XCTAssertEqual(q.err, "ktrace: unknown facility in q\n" + usage)
        let p = ktrace(["-p", "0"])
        XCTAssertEqual(p.status, 1)
        XCTAssertEqual(p.err, "ktrace: invalid process or group id\n" + usage)
        let both = ktrace(["-p", "1", "true"])
        XCTAssertEqual(both.status, 1)
        XCTAssertEqual(both.err, usage)
        // Options stop at the command: -l belongs to the command.
        let dir = makeTempDir()
        let t = ktrace(["-b", "1000", "-f", dir + "/t.out", Products.testprog, "exitcode", "-l"])
        XCTAssertEqual(t.err, "ktrace-testprog: -l: Invalid argument\n")
        XCTAssertEqual(t.status, 1)
    }

    // MARK: the request pool

    func count(_ records: [TraceRecord]) -> [UInt16: Int] {
        records.reduce(into: [:]) { $0[$1.header.type, default: 0] += 1 }
    }

    func testTinyPoolDropsEventsAndSaysSo() throws {
        // One request, and every read makes a GIO and a RET at the same stop: the second
        // needs the request back before the writer thread can have returned it.
        // KTRACE_POOL_GRACE_MS=0: no grace period for the writer, FreeBSD's immediate drop.
        setenv("KTRACE_POOL_GRACE_MS", "0", 1)
        defer { unsetenv("KTRACE_POOL_GRACE_MS") }
        let t = trace(["rw", "1000"], options: ["-b", "1"])
        XCTAssertEqual(t.run.status, 0)
        let lines = t.run.err.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "ktrace: out of request objects")
        XCTAssertEqual(lines.filter { $0 == "ktrace: out of request objects" }.count, 1, t.run.err)
        let dropped = t.records.filter(\.header.dropped)
        XCTAssertFalse(dropped.isEmpty)
        // The end-of-run count matches what is missing against a full run.
        let lost = try XCTUnwrap(lines.dropFirst().first.flatMap { l -> Int? in
            guard l.hasPrefix("ktrace: "), l.hasSuffix(" lost (out of request objects)") else { return nil }
            return Int(l.dropFirst(8).split(separator: " ")[0])
        }, t.run.err)
        let full = trace(["rw", "1000"], options: ["-b", "1", "-W"])
        XCTAssertEqual(full.records.count - t.records.count, lost)
        XCTAssertTrue(kdump(t.file).contains(" Events dropped.\n"))
    }

    func testWaitingForRequestsLosesNothing() {
        let w = trace(["getppid", "3000"], options: ["-b", "2", "-W"])
        XCTAssertEqual(w.run.status, 0)
        XCTAssertEqual(w.run.err, "")
        XCTAssertFalse(w.records.contains(where: \.header.dropped))
        let d = trace(["getppid", "3000"])
        XCTAssertEqual(count(w.records), count(d.records))
        XCTAssertEqual(w.records.filter { $0.isCall("getppid") }.count, 3000)
        XCTAssertEqual(w.records.filter { $0.isRet("getppid") }.count, 3000)
    }

    // MARK: write failures

    func testWriteFailureStopsTracingAndKeepsWholeRecords() throws {
        let dir = makeTempDir()
        let r = runProcess("/bin/bash", ["-c", "cd \"$0\" && ulimit -f 16 && exec \"$1\" -b 1000 \"$2\" getppid 3000",
                                         dir, Products.ktrace, Products.testprog])
        XCTAssertEqual(r.status, 0)
        XCTAssertFalse(r.signaled)
        XCTAssertEqual(r.err, "ktrace: write to ktrace.out failed: File too large; tracing stopped\n")
        let records = try readTrace(dir + "/ktrace.out")   // throws on a torn record
        XCTAssertFalse(records.isEmpty)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: dir + "/ktrace.out")[.size] as? Int)
        XCTAssertLessThanOrEqual(size, 16 * 1024)
        XCTAssertEqual(size, records.reduce(0) { $0 + Ktr.headerSize + $1.payload.count })
    }
}
