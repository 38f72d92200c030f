#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat

/// `ktrace -p/-g [-d]` and `ktrace -c/-C`: on FreeBSD these ask the kernel; here
/// they ask the tracer process that holds each target (found from the target's
/// TracerPid), or a new background tracer for untraced targets, then return.
public enum Controller {
    public static func run(_ o: Options) -> Never {
        switch o.clear {
        case .clearAll:
            broadcast(.init(op: .clearAll, pid: 0, facilities: []), fd: -1)
            exit(0)
        case .clear where o.pid == 0:
            // -c -f file: stop all tracing into that file.
            let fd = open(o.file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 { Diagnostics.err(1, o.file) }
            broadcast(.init(op: .clearFile, pid: 0, facilities: []), fd: fd)
            exit(0)
        case .clear:
            var failed = false
            for pid in targets(o) {
                let (tracer, uid): (Int32, uid_t)
                switch holder(of: pid) {
                case .none: continue   // not traced: nothing to clear
                case .other(let why): failed = report(pid, (EPERM, why)) || failed; continue
                case .ktrace(let t, let u): (tracer, uid) = (t, u)
                }
                let req = ControlChannel.Request(op: .clear, pid: pid, facilities: o.facilities)
                failed = report(pid, ControlChannel.send(req, fd: -1, tracer: tracer, uid: uid)) || failed
            }
            exit(failed ? 1 : 0)
        case .notSet:
            let pids = targets(o)
            let fd = TraceFile.open(o.file, append: o.append)
            var newTracer: Int32 = 0
            var failed = false
            for pid in pids {
                let req = ControlChannel.Request(op: .set, pid: pid, facilities: o.facilities)
                switch holder(of: pid) {
                case .ktrace(let tracer, let uid):
                    failed = report(pid, ControlChannel.send(req, fd: fd, tracer: tracer, uid: uid)) || failed
                    continue
                case .other(let why):
                    failed = report(pid, (EPERM, why)) || failed
                    continue
                case .none: break
                }
                if newTracer == 0 {
                    newTracer = spawnTracer(o)
                    if newTracer <= 0 { Diagnostics.errx(1, "could not start a tracer process") }
                }
                failed = report(pid, ControlChannel.send(req, fd: fd, tracer: newTracer, uid: getuid())) || failed
            }
            exit(failed ? 1 : 0)
        }
    }

    /// Prints a failed request's line; returns true if it failed.
    static func report(_ pid: Int32, _ answer: (Int32, String)?) -> Bool {
        guard let (status, text) = answer else {
            Diagnostics.warnx("\(pid): the tracer holding it did not answer")
            return true
        }
        if status == 0 { return false }
        Diagnostics.warnx("\(pid): \(Diagnostics.errorText(status))" + (text.isEmpty ? "" : " (\(text))"))
        return true
    }

    static func broadcast(_ req: ControlChannel.Request, fd: Int32) {
        for (tracer, uid) in ControlChannel.reachableTracers() {
            _ = ControlChannel.send(req, fd: fd, tracer: tracer, uid: uid)
        }
    }

    /// The processes named by -p or -g, with all their descendants for -d.
    static func targets(_ o: Options) -> [Int32] {
        let table = ProcessTable()
        var pids: [Int32]
        if o.pid > 0 {
            guard kill(o.pid, 0) == 0 || errno == EPERM else { Diagnostics.err(1, "\(o.pid)", errno: ESRCH) }
            pids = [o.pid]
        } else {
            pids = table.entries.filter { $0.pgrp == -o.pid }.map(\.pid)
            if pids.isEmpty { Diagnostics.err(1, "\(-o.pid)", errno: ESRCH) }
        }
        if o.descend {
            // Pre-order walk, as FreeBSD's ktrsetchildren.
            var i = 0
            while i < pids.count {
                for e in table.entries where e.ppid == pids[i] && !pids.contains(e.pid) { pids.append(e.pid) }
                i += 1
            }
        }
        return pids
    }

    enum Holder { case none, ktrace(Int32, uid_t), other(String) }

    /// Who traces `pid`: nobody, a ktrace tracer the caller may talk to, or
    /// something the caller may not touch (another tool, another user's tracer).
    static func holder(of pid: Int32) -> Holder {
        guard let (tracer, name) = ptraceHolder(of: pid) else { return .none }
        var st = stat()
        guard stat("/proc/\(tracer)", &st) == 0 else { return .none }
        if getuid() != 0 && st.st_uid != getuid() {
            return .other("traced by process \(tracer) (\(name)) of another user")
        }
        guard access(ControlChannel.socketPath(uid: st.st_uid, tracer: tracer), F_OK) == 0 else {
            return .other("already traced by process \(tracer) (\(name))")
        }
        return .ktrace(tracer, st.st_uid)
    }

    /// Starts a tracer in the background (a session of its own, no parent to
    /// wait for it) and returns its pid once it listens for requests.
    static func spawnTracer(_ o: Options) -> Int32 {
        var ready: [Int32] = [0, 0]
        guard cpt_pipe_cloexec(&ready) == 0 else { return -1 }
        let started = TracerProcess.spawn(keep: [ready[1]]) { backgroundTracerMain(o, ready: ready[1]) }
        close(ready[1])
        guard started else { close(ready[0]); return -1 }
        var pid: Int32 = 0
        let n = read(ready[0], &pid, 4)
        close(ready[0])
        return n == 4 ? pid : -1
    }
}

extension Controller {
    /// The background tracer, in its own process (see TracerProcess): listens for
    /// requests, says so on `ready`, and traces until nothing is left.
    static func backgroundTracerMain(_ o: Options, ready: Int32) -> Never {
        _ = fcntl(ready, F_SETFD, FD_CLOEXEC)
        Launcher.detachStdio()
        Diagnostics.switchToSyslog()
        let tracer = Tracer(poolSize: o.poolSize, genioSize: o.genioSize, waitForRequests: o.waitForRequests,
                            traceFileName: o.file)
        tracer.selection = o.selection
        tracer.startControl()
        var pid: Int32 = tracer.control != nil ? getpid() : 0
        _ = write(ready, &pid, 4)
        close(ready)
        tracer.idleUntil = time(nil) + 10
        tracer.sharing.start()
        let lost = tracer.run()
        if lost > 0 { Diagnostics.warnx("\(lost) event\(lost == 1 ? "" : "s") lost (out of request objects)") }
        _exit(0)
    }
}

/// A snapshot of /proc: pid, parent and process group of every process.
struct ProcessTable {
    struct Entry { let pid: Int32; let ppid: Int32; let pgrp: Int32 }
    let entries: [Entry]

    init() {
        var e: [Entry] = []
        for name in listDirectory("/proc") {
            guard let pid = Int32(name), let stat = readSmallFile("/proc/\(pid)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state ppid pgrp ...; comm may itself hold spaces or ')'.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let ppid = Int32(fields[1]), let pgrp = Int32(fields[2]) else { continue }
            e.append(Entry(pid: pid, ppid: ppid, pgrp: pgrp))
        }
        entries = e
    }
}
