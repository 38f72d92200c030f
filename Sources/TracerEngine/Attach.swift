#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat
import LinuxABI

/// What FreeBSD's ktrace(2) does in the kernel, done by the tracer process on
/// request: attach to running processes, change their tracing in place, clear it,
/// and detach leaving each process exactly as it was.
extension Tracer {
    static let wakeupSignal = SIGUSR1

    /// Starts listening for ktrace(1) requests. Requests are executed on this
    /// (the tracer's) thread, since only the thread that attached may use ptrace.
    public func startControl() {
        guard let server = ControlChannel.Server() else { return }
        control = server
        let mailbox = Mailbox()
        self.mailbox = mailbox
        let tracerThread = cpt_gettid()
        let pid = getpid()
        cpt_install_wakeup(Tracer.wakeupSignal)
        startThread {
            while true {
                let c = cpt_accept(server.listener)
                if c < 0 { if errno == EINTR || errno == ECONNABORTED { continue }; return }
                if let (req, fd) = server.receive(c) {
                    // Hand over and keep poking the tracer thread until it has answered:
                    // a wakeup that lands outside waitpid is caught by the next one.
                    mailbox.post(req, fd)
                    while !mailbox.waitDone(milliseconds: 20) { _ = cpt_tgkill(pid, tracerThread, Tracer.wakeupSignal) }
                    let (status, text) = mailbox.answer
                    server.reply(c, status, text)
                }
                close(c)
            }
        }
    }

    /// Runs the pending request, if any (called from the event loop).
    func serviceControl() {
        guard let mailbox, let (req, fd) = mailbox.take() else { return }
        recorder.stamp()
        let answer = execute(req, fd: fd)
        if fd >= 0 && !processes.contains(where: { $0.fd == fd }) { close(fd) }
        mailbox.finish(answer)
    }

    func execute(_ req: ControlChannel.Request, fd: Int32) -> (Int32, String) {
        let facilities = Facilities(rawValue: req.facilities)
        switch req.op {
        case .set:
            guard fd >= 0 else { return (EINVAL, "no trace file") }
            if let e = mayControl(req.pid, requester: req.requesterUid) { return e }
            if let p = processes.first(where: { $0.pid == req.pid }) {
                change(p, add: facilities, fd: fd)
                return (0, "")
            }
            let result = attach(req.pid, facilities: facilities.union(.procABI), fd: fd)
            if result.0 == 0 { idleUntil = 0 }   // from now on, no tracee left means done
            return result
        case .clear:
            if let e = mayControl(req.pid, requester: req.requesterUid) { return e }
            guard let p = processes.first(where: { $0.pid == req.pid }) else { return (ESRCH, "not traced") }
            p.facilities.subtract(facilities)
            if p.facilities.intersection(.mask).subtracting(.procABI).isEmpty { beginDetach(p) }
            return (0, "")
        case .clearFile:
            var target = stat()
            guard fd >= 0, fstat(fd, &target) == 0 else { return (EINVAL, "no trace file") }
            for p in processes where sameFile(p.fd, target) { beginDetach(p) }
            return (0, "")
        case .clearAll:
            for p in processes { beginDetach(p) }
            return (0, "")
        }
    }

    /// The requester may act on `pid` if it is root or the process's owner (the
    /// tracer already refused requests from other users than its own and root).
    func mayControl(_ pid: Int32, requester: UInt32) -> (Int32, String)? {
        var st = stat()
        guard stat("/proc/\(pid)", &st) == 0 else { return (ESRCH, "") }
        if requester != 0 && st.st_uid != requester { return (EPERM, "owned by another user") }
        return nil
    }

    func sameFile(_ fd: Int32, _ target: stat) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && st.st_dev == target.st_dev && st.st_ino == target.st_ino
    }

    var processes: [TracedProcess] {
        var seen: [TracedProcess] = []
        for t in threads.values where !seen.contains(where: { $0 === t.process }) { seen.append(t.process) }
        return seen
    }

    /// Changes tracing in place, as the kernel does: facilities are added, and a
    /// different file takes the process's records from now on.
    func change(_ p: TracedProcess, add: Facilities, fd: Int32) {
        let hadInherit = p.facilities.contains(.inherit)
        p.facilities.formUnion(add.union(.procABI))
        p.fd = fd
        if !hadInherit && p.facilities.contains(.inherit) {
            for t in threads.values where t.process === p { _ = cpt_setoptions(t.tid, UInt(attachOptions(inherit: true))) }
        }
        if let t = threads[p.pid] ?? threads.values.first(where: { $0.process === p }) { recorder.procctor(t) }
    }

    func attachOptions(inherit: Bool) -> Int32 {
        var o = CPT_O_TRACESYSGOOD | CPT_O_TRACEEXEC | CPT_O_TRACEEXIT | CPT_O_TRACECLONE
        if inherit { o |= CPT_O_TRACEFORK | CPT_O_TRACEVFORK }
        return o
    }

    /// Seizes every thread of `pid` (again until no new thread appears), then
    /// interrupts each so that syscall tracing starts at its next stop.
    func attach(_ pid: Int32, facilities: Facilities, fd: Int32) -> (Int32, String) {
        if pid == getpid() { return (EPERM, "ktrace may not trace its own tracer") }
        let options = UInt(attachOptions(inherit: facilities.contains(.inherit)))
        let p = TracedProcess(pid: pid, facilities: facilities, fd: fd, arch: elfArch(pid))
        var seized: [Int32] = []
        var progress = true
        while progress {
            progress = false
            let tids = listDirectory("/proc/\(pid)/task").compactMap { Int32($0) }.sorted()
            if tids.isEmpty && seized.isEmpty { return (ESRCH, "") }
            for tid in tids where !seized.contains(tid) {
                if cpt_seize(tid, options) != 0 {
                    let e = errno
                    if e == ESRCH && tid != pid { continue }   // a thread that just exited
                    for s in seized { _ = cpt_detach(s, 0) }
                    for s in seized { threads[s] = nil }
                    return (e, e == EPERM ? attachRefusal(pid) : "")
                }
                _ = cpt_interrupt(tid)
                seized.append(tid)
                let t = TracedThread(tid: tid, process: p, comm: threadComm(pid: pid, tid: tid), recording: true)
                threads[tid] = t
                progress = true
            }
        }
        p.liveThreads = seized.count
        if let leader = threads[pid] { recorder.procctor(leader) }
        return (0, "")
    }

    /// Why the kernel said EPERM, in words a user can act on.
    func attachRefusal(_ pid: Int32) -> String {
        if let holder = ptraceHolder(of: pid) {
            return "already traced by process \(holder.pid) (\(holder.name))"
        }
        if let status = readSmallFile("/proc/\(pid)/status") {
            for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
                let ids = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().compactMap { UInt32($0) }
                if getuid() != 0 && ids.contains(where: { $0 != getuid() }) { return "process of another user, or running with other privileges" }
            }
        }
        if let scope = readSmallFile("/proc/sys/kernel/yama/ptrace_scope"), let n = Int(scope.trimmingSpaces), n > 0 {
            return "Yama's kernel.yama.ptrace_scope is \(n): only ancestors (or root) may trace"
        }
        return "the kernel refused to let ktrace trace it"
    }

    /// Marks every thread of `p` for detaching: each is interrupted and let go at
    /// its next stop (from whatever stop that is), so that nothing waits on a
    /// thread that cannot stop yet (a vfork parent waits for its child).
    func beginDetach(_ p: TracedProcess) {
        // Under our seccomp filter a process without its tracer would get ENOSYS from
        // every trapped syscall: it stays attached, recording nothing.
        if filterInstalled { silence(p); return }
        for t in threads.values where t.process === p && !t.detaching {
            t.detaching = true
            _ = cpt_interrupt(t.tid)
        }
    }

    /// Lets `t` go from the stop it is in, giving back the signal it was about to
    /// receive. A group-stopped thread stays stopped; a thread in an interrupted
    /// syscall restarts it.
    func finishDetach(_ t: TracedThread, status: Int32) {
        let sig = cpt_wstopsig(status)
        let pass: Int32 = (cpt_wevent(status) == 0 && sig != SIGTRAP | 0x80) ? sig : 0
        _ = cpt_detach(t.tid, pass)
        forget(t)
    }
}

/// One request at a time between the accept thread and the tracer thread.
final class Mailbox {
    private var lock = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var pending: (ControlChannel.Request, Int32)?
    private var done = false
    private(set) var answer: (Int32, String) = (0, "")

    init() { pthread_mutex_init(&lock, nil); pthread_cond_init(&cond, nil) }

    func post(_ req: ControlChannel.Request, _ fd: Int32) {
        pthread_mutex_lock(&lock); pending = (req, fd); done = false; pthread_mutex_unlock(&lock)
    }

    func take() -> (ControlChannel.Request, Int32)? {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        let r = pending
        pending = nil
        return r
    }

    func finish(_ a: (Int32, String)) {
        pthread_mutex_lock(&lock); answer = a; done = true; pthread_cond_broadcast(&cond); pthread_mutex_unlock(&lock)
    }

    func waitDone(milliseconds: Int) -> Bool {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        if done { return true }
        var deadline = realtimeDeadline(afterNanoseconds: milliseconds * 1_000_000)
        pthread_cond_timedwait(&cond, &lock, &deadline)
        return done
    }
}

/// Runs `body` on a new thread.
func startThread(_ body: @escaping () -> Void) {
    final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(body))
    pthread_create(&thread, nil, { arg in
        Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue().body()
        return nil
    }, box.toOpaque())
    pthread_detach(thread)
}

/// The ABI of a running process, from its executable's ELF class.
func elfArch(_ pid: Int32) -> LinuxArch {
    let fd = open("/proc/\(pid)/exe", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .x86_64 }
    defer { close(fd) }
    var ident = [UInt8](repeating: 0, count: 5)
    return read(fd, &ident, 5) == 5 && ident[4] == 1 ? .i386 : .x86_64
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s.removeLast() }
        return s
    }
}
extension String { var trimmingSpaces: Substring { Substring(self).trimmingSpaces } }
