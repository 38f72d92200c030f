import Foundation
import KtraceFormat
import LinuxABI
import XCTest

// Shared helpers for the ktrace integration tests. The API, in short:
//
// - `Products.ktrace`, `.kdump`, `.testprog`, `.directory`: the built executables, found
//   next to the test bundle (any --scratch-path; KTRACE_BUILD_DIR overrides).
// - `runProcess(exe, args, stdin:, environment:, timeout:) -> RunResult` (out, err,
//   status, signaled, pid, shellStatus); never hangs: past the timeout the process is
//   SIGKILLed and the test fails. `RunningProcess` is the same in two steps (start, then
//   `finish`), for tests that act on the process meanwhile (`pid`, `isRunning`).
// - `readTrace(path) -> [TraceRecord]`: every record, payload copied out, with decoded
//   views (`call`, `ret`, `path`, `gio`, `psig`, `user`, `svFlags`, `structure`,
//   `strings`), `syscallName()`, `isCall(name)`, `isRet(name)`; array helpers
//   `firstCall`, `firstRet`, `calls`, `ofType`, `sequence(afterCall:)`.
// - `KtraceTestCase`: `makeTempDir()` (removed at tearDown), `trace(scenario, options:)`
//   (ktrace on ktrace-testprog into a new file, read back), `ktrace(args)`,
//   `kdump(file)`, `kdumpBodies(file)` (lines without the pid/comm prefix).
//
// Typical use (in a KtraceTestCase subclass):
//     let t = trace(["paths", dir])                    // ktrace -f <tmp> ktrace-testprog paths <dir>
//     XCTAssertEqual(t.run.status, 0)
//     let i = try XCTUnwrap(t.records.firstCall("openat"))
//     XCTAssertEqual(t.records[i + 1].path, dir + "/f")
//     XCTAssertTrue(kdumpBodies(t.file).contains("RET   openat 3"))

/// Paths of the build products the tests run.
enum Products {
    /// The build directory (e.g. .build/debug or <scratch-path>/debug): the nearest directory,
    /// going up from the test bundle, that holds both `ktrace` and `ktrace-testprog`.
    /// `KTRACE_BUILD_DIR` in the environment overrides the search.
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["KTRACE_BUILD_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        let starts = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL,
                      Bundle(for: KtraceTestCase.self).bundleURL.deletingLastPathComponent()]
        for start in starts {
            var d = start.standardizedFileURL
            for _ in 0..<5 {
                if isExecutable(d.appendingPathComponent("ktrace")) && isExecutable(d.appendingPathComponent("ktrace-testprog")) {
                    return d
                }
                d = d.deletingLastPathComponent()
            }
        }
        fatalError("ktrace and ktrace-testprog not found near the test bundle \(CommandLine.arguments[0]); set KTRACE_BUILD_DIR")
    }()

    static var ktrace: String { directory.appendingPathComponent("ktrace").path }
    static var kdump: String { directory.appendingPathComponent("kdump").path }
    static var testprog: String { directory.appendingPathComponent("ktrace-testprog").path }

    private static func isExecutable(_ u: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir) && !isDir.boolValue
            && FileManager.default.isExecutableFile(atPath: u.path)
    }
}

/// What a finished process did.
struct RunResult {
    var out: String
    var err: String
    /// The exit status, or the signal number when `signaled`.
    var status: Int32
    /// Killed by a signal (`status` is the signal).
    var signaled: Bool
    var pid: Int32
    /// The status a shell would show in `$?`: the exit status, or 128 + signal.
    var shellStatus: Int32 { signaled ? 128 + status : status }
}

/// A started process whose stdout and stderr go to pipes read by `finish`.
///
/// Started with posix_spawn and reaped here with waitpid, not with Foundation's Process:
/// the process must be waited for even when a background tracer it started keeps its
/// stderr open, and Foundation's own reaping was seen to miss children.
final class RunningProcess {
    let pid: pid_t
    private var outFd: Int32
    private var errFd: Int32
    private var exitStatus: Int32?
    let description: String

    /// Starts `executable` with `args`; stdin is /dev/null unless data is given; the
    /// environment is inherited unless given. Signals start with default dispositions
    /// and an empty mask, as from a shell.
    init(_ executable: String, _ args: [String], stdin: Data? = nil, environment: [String: String]? = nil) throws {
        description = ([executable] + args).joined(separator: " ")
        // Close-on-exec pipes: the read ends never leak into the child, and the write
        // ends are closed here once it runs, so EOF means every writer has gone.
        var o: [Int32] = [0, 0], e: [Int32] = [0, 0], i: [Int32] = [0, 0]
        guard pipe(&o) == 0, pipe(&e) == 0, pipe(&i) == 0 else { throw POSIXError(.EMFILE) }
        for fd in o + e + i { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(o[1]); close(e[1]); close(i[0]) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, i[0], 0)
        }
        posix_spawn_file_actions_adddup2(&actions, o[1], 1)
        posix_spawn_file_actions_adddup2(&actions, e[1], 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = environment.map { $0.map { "\($0.key)=\($0.value)" } }
            ?? ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let cArgs = ([executable] + args).map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attr, cArgs, cEnv)
        if rc != 0 {
            close(o[0]); close(e[0]); close(i[1])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL)
        }
        pid = child
        outFd = o[0]
        errFd = e[0]
        if let stdin {
            stdin.withUnsafeBytes { b in
                var done = 0
                while done < b.count {
                    let r = write(i[1], b.baseAddress! + done, b.count - done)
                    if r <= 0 { break }
                    done += r
                }
            }
        }
        close(i[1])
    }

    deinit {
        if outFd >= 0 { close(outFd) }
        if errFd >= 0 { close(errFd) }
        // Never leave a zombie or a runaway child behind.
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
        }
    }

    /// True until the process has exited (and been reaped here).
    var isRunning: Bool { reap(block: false) == nil }

    /// The raw wait status once the process has exited.
    @discardableResult
    private func reap(block: Bool) -> Int32? {
        if let exitStatus { return exitStatus }
        var st: Int32 = 0
        while true {
            let r = waitpid(pid, &st, block ? 0 : WNOHANG)
            if r == pid { exitStatus = st; return st }
            if r < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Waits for the exit, reading stdout and stderr meanwhile. Output is read until EOF,
    /// or, once the process has exited, until 300 ms pass without any (a background
    /// tracer may keep stderr open). Past `timeout` seconds the process is killed with
    /// SIGKILL, the test fails, and whatever was read is returned.
    func finish(timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line) -> RunResult {
        let deadline = Date().addingTimeInterval(timeout)
        var out = [UInt8](), err = [UInt8]()
        var open = [outFd, errFd]
        var buf = [UInt8](repeating: 0, count: 65536)
        var exitedAt: Date?
        var lastData = Date()
        while true {
            if exitedAt == nil, reap(block: false) != nil { exitedAt = Date() }
            if open.isEmpty && exitedAt != nil { break }
            if let exitedAt, Date().timeIntervalSince(max(exitedAt, lastData)) > 0.3 { break }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                reap(block: true)
                XCTFail("timed out after \(timeout) s: \(description)", file: file, line: line)
                break
            }
            if open.isEmpty { usleep(5000); continue }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), 10)
            if n < 0 && errno != EINTR { break }
            for p in fds where p.revents != 0 {
                let r = read(p.fd, &buf, buf.count)
                if r > 0 {
                    lastData = Date()
                    if p.fd == outFd { out += buf[0..<r] } else { err += buf[0..<r] }
                } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        let st = reap(block: true) ?? 0
        let signaled = st & 0x7f != 0 && st & 0x7f != 0x7f
        return RunResult(out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self),
                         status: signaled ? st & 0x7f : (st >> 8) & 0xff, signaled: signaled, pid: pid)
    }
}

/// Runs `executable` to completion (see `RunningProcess.finish` for the timeout).
func runProcess(_ executable: String, _ args: [String], stdin: Data? = nil, environment: [String: String]? = nil,
                timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line) -> RunResult {
    do {
        return try RunningProcess(executable, args, stdin: stdin, environment: environment).finish(timeout: timeout, file: file, line: line)
    } catch {
        XCTFail("cannot run \(executable): \(error)", file: file, line: line)
        return RunResult(out: "", err: "", status: -1, signaled: false, pid: 0)
    }
}

/// One record read back from a trace file, with its payload copied out of the reader.
struct TraceRecord {
    var header: RecordHeader
    var payload: [UInt8]
    var offset: UInt64

    var type: RecordType? { header.recordType }
    var pid: Int32 { header.pid }
    var tid: Int64 { header.tid }
    var comm: String { header.comm.string }

    private func view<T>(_ t: RecordType, _ decode: (UnsafeRawBufferPointer) throws -> T) -> T? {
        guard type == t else { return nil }
        return payload.withUnsafeBytes { try? decode($0) }
    }

    /// CALL: the syscall number and arguments.
    var call: (code: Int, args: [Int64])? {
        view(.syscall) { p in let s = try SyscallPayload(p); return (Int(s.code), (0..<s.count).map { s[$0] }) }
    }
    /// RET: syscall number, error (positive Linux errno, or -1/-2 pseudo errors), return value.
    var ret: (code: Int, error: Int32, retval: Int64)? {
        view(.sysret) { p in let s = try SysretPayload(p); return (Int(s.code), s.error, s.retval) }
    }
    /// NAMI: the path.
    var path: String? { view(.namei) { String(decoding: $0, as: UTF8.self) } }
    /// GIO: descriptor, direction (GenioPayload.read / .write) and the captured bytes.
    var gio: (fd: Int32, rw: Int32, data: [UInt8])? {
        view(.genio) { p in let g = try GenioPayload(p); return (g.fd, g.rw, Array(g.data)) }
    }
    var psig: (signo: Int32, action: UInt64, code: Int32, mask: UInt64)? {
        view(.psig) { p in
            let s = try PsigPayload(p)
            return (s.signo, s.action, s.code, UInt64(s.mask.0) | UInt64(s.mask.1) << 32)
        }
    }
    /// USER: the bytes.
    var user: [UInt8]? { view(.user) { Array($0) } }
    /// PROCCTOR: sv_flags.
    var svFlags: UInt32? { view(.procctor) { try ProcctorPayload($0).svFlags } }
    /// STRU: the struct's name and bytes.
    var structure: (name: String, data: [UInt8])? {
        view(.structure) { p in let s = try StructPayload(p); return (String(decoding: s.name, as: UTF8.self), Array(s.data)) }
    }
    /// ARGS / ENVS: the strings.
    var strings: [String]? {
        guard type == .args || type == .envs else { return nil }
        var list: [String] = []
        _ = payload.withUnsafeBytes { forEachCString($0) { list.append(String(decoding: $0, as: UTF8.self)) } }
        return list
    }

    /// The syscall name of a CALL or RET on x86-64 (`arch` for i386 records).
    func syscallName(_ arch: LinuxArch = .x86_64) -> String? {
        guard let code = call?.code ?? ret?.code else { return nil }
        return Syscalls.lookup(arch, code)?.name
    }
    func isCall(_ name: String, _ arch: LinuxArch = .x86_64) -> Bool { call != nil && syscallName(arch) == name }
    func isRet(_ name: String, _ arch: LinuxArch = .x86_64) -> Bool { ret != nil && syscallName(arch) == name }
}

extension Array where Element == TraceRecord {
    /// Index of the first CALL of `name` at or after `from`, optionally of one thread.
    func firstCall(_ name: String, from: Int = 0, tid: Int64? = nil) -> Int? {
        guard from < count else { return nil }
        return self[from...].firstIndex { $0.isCall(name) && (tid == nil || $0.tid == tid) }
    }
    /// Index of the first RET of `name` at or after `from` from the same thread as `tid` (if given).
    func firstRet(_ name: String, from: Int = 0, tid: Int64? = nil) -> Int? {
        guard from < count else { return nil }
        return self[from...].firstIndex { $0.isRet(name) && (tid == nil || $0.tid == tid) }
    }
    /// All CALLs of `name`.
    func calls(_ name: String) -> [TraceRecord] { filter { $0.isCall(name) } }
    /// The records of one type.
    func ofType(_ t: RecordType) -> [TraceRecord] { filter { $0.type == t } }
    /// The records following the CALL at `index` from the same thread, up to and including
    /// its RET (or the end): the CALL's NAMI/GIO/STRU records and its RET.
    func sequence(afterCall index: Int) -> [TraceRecord] {
        let tid = self[index].tid
        var out: [TraceRecord] = []
        for r in self[(index + 1)...] where r.tid == tid {
            if r.type == .syscall { break }
            out.append(r)
            if r.type == .sysret { break }
        }
        return out
    }
}

/// Reads every record of `path`. Throws on a malformed or truncated file.
func readTrace(_ path: String) throws -> [TraceRecord] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    let reader = RecordReader(fd: fd)
    var records: [TraceRecord] = []
    while let r = try reader.next() {
        records.append(TraceRecord(header: r.header, payload: Array(r.payload), offset: r.offset))
    }
    return records
}

/// Base class for ktrace tests: temporary directories removed after each test, and
/// shortcuts to trace the test program and dump the result.
class KtraceTestCase: XCTestCase {
    private var tempDirs: [String] = []

    override func tearDown() {
        for d in tempDirs { try? FileManager.default.removeItem(atPath: d) }
        tempDirs = []
        super.tearDown()
    }

    /// A new empty directory, removed at tearDown (mode 0755 so another user can enter it).
    func makeTempDir() -> String {
        var template = Array((URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ktrace-test-XXXXXX").path).utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(p != nil, "mkdtemp failed")
        let dir = String(cString: p!)
        chmod(dir, 0o755)
        tempDirs.append(dir)
        return dir
    }

    /// A trace run: the process result, the trace file and its records.
    struct Trace {
        var run: RunResult
        var file: String
        var records: [TraceRecord]
    }

    /// Runs `ktrace [options] -f <new file> ktrace-testprog <scenario...>` and reads the trace.
    /// `command` replaces the test program when given (its first element is the executable).
    /// Unless `options` has its own `-b`, the pool gets 1000 requests: with the default 100 a
    /// loaded machine that delays the writer thread can make ktrace drop events (by design,
    /// as FreeBSD does), and a test of exact records must not depend on the scheduler.
    /// `environment` replaces the inherited one when given.
    func trace(_ scenario: [String], options: [String] = [], command: [String]? = nil, stdin: Data? = nil,
               environment: [String: String]? = nil, timeout: TimeInterval = 30,
               file: StaticString = #filePath, line: UInt = #line) -> Trace {
        let f = makeTempDir() + "/ktrace.out"
        let cmd = command ?? [Products.testprog] + scenario
        let pool = options.contains("-b") ? [] : ["-b", "1000"]
        let r = runProcess(Products.ktrace, pool + options + ["-f", f] + cmd, stdin: stdin, environment: environment,
                           timeout: timeout, file: file, line: line)
        var records: [TraceRecord] = []
        do { records = try readTrace(f) } catch { XCTFail("reading \(f): \(error)", file: file, line: line) }
        return Trace(run: r, file: f, records: records)
    }

    /// Runs ktrace with exactly `args` (no -f added).
    func ktrace(_ args: [String], timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line) -> RunResult {
        runProcess(Products.ktrace, args, timeout: timeout, file: file, line: line)
    }

    /// kdump's text for `traceFile` with `options`; fails the test if kdump does not exit 0 or complains.
    func kdump(_ traceFile: String, _ options: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> String {
        let r = runProcess(Products.kdump, options + ["-f", traceFile], file: file, line: line)
        XCTAssertEqual(r.status, 0, "kdump failed: \(r.err)", file: file, line: line)
        XCTAssertEqual(r.err, "", file: file, line: line)
        return r.out
    }

    /// kdump's lines without the `  pid comm     ` prefix (everything up to the record type column).
    func kdumpBodies(_ traceFile: String, _ options: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> [String] {
        kdump(traceFile, options, file: file, line: line).split(separator: "\n", omittingEmptySubsequences: false).map { l in
            let s = String(l)
            for type in ["CALL  ", "RET   ", "NAMI  ", "GIO   ", "PSIG  ", "STRU  ", "SCTL  ", "USER  ", "PFLT  ", "PRET  ",
                         "CSW   ", "CAP   ", "ARGS  ", "ENVS  ", "SARR  "] {
                if let r = s.range(of: " " + type) { return String(s[s.index(after: r.lowerBound)...]) }
            }
            return s
        }
    }
}
