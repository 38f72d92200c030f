#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat
import LinuxABI

/// Syscall numbers the tracer itself acts on, per ABI (from the shared table).
struct SpecialSyscalls {
    let execve: Int, execveat: Int, rtSigaction: Int, prctl: Int, clone: Int, clone3: Int, fork: Int, vfork: Int
    /// Linux has no utrace(2): ktrace reserves this number (utrace.h).
    static let utrace = 0x7574

    init(_ arch: LinuxArch) {
        // Int.min for a name the ABI lacks: no syscall number, not even -1, matches it.
        func n(_ name: String) -> Int { Syscalls.number(named: name, arch) ?? Int.min }
        execve = n("execve"); execveat = n("execveat"); rtSigaction = n("rt_sigaction")
        prctl = n("prctl"); clone = n("clone"); clone3 = n("clone3"); fork = n("fork"); vfork = n("vfork")
    }

    func isExec(_ nr: Int) -> Bool { nr == execve || nr == execveat }
    /// Syscalls whose effect ktrace keeps track of whatever is recorded: exec (records
    /// start there, the ABI may change), clone and clone3 (their flags tell a thread from
    /// a process), prctl (PR_SET_NAME renames the thread in every header).
    func isFollowed(_ nr: Int) -> Bool { isExec(nr) || nr == clone || nr == clone3 || nr == prctl }
    /// fork and vfork (clone and clone3 carry flags and are told apart from them).
    func isFork(_ nr: Int) -> Bool { nr == fork || nr == vfork }
}

/// The ptrace event loop: one tracer process follows every traced thread, turns
/// each stop into records, and resumes the thread at once.
public final class Tracer {
    let recorder: Recorder
    let pool: RequestPool
    var threads: [Int32: TracedThread] = [:]
    /// Stops of new threads/processes that arrived before their parent's event.
    var earlyStops: [Int32: Int32] = [:]
    let tables: (x86_64: [SyscallDesc?], i386: [SyscallDesc?])
    let special: (x86_64: SpecialSyscalls, i386: SpecialSyscalls)
    let isRoot = geteuid() == 0
    /// -e: the syscalls whose CALL/RET/NAMI/GIO/STRU records are written.
    var selection = SyscallSelection.all
    /// ktrace's seccomp filter is in the command (SeccompFilter.swift): threads run under
    /// PTRACE_CONT outside traced syscalls, and are never detached.
    var filterInstalled = false
    /// The control socket and CPU sharing are still to start (Waiting.swift).
    var startupPending = false
    /// A launched command that is loading the filter, until the tracer knows whether it did.
    var pendingFilter: PendingFilter?
    /// Stops handled (KTRACE_STATS).
    var stops = 0
    /// Polling before sleeping in waitpid (Waiting.swift), and the thread last resumed.
    let spin = SpinPolicy()
    var lastResumed: TracedThread?
    /// Running on the tracee's CPU (CPUSharing.swift).
    var sharing = CPUSharing()
    /// The first write error, which ends tracing.
    var stoppedByWriteError = false
    let traceFileName: String
    /// The control socket and the request the accept thread hands over (Attach.swift).
    var control: ControlChannel.Server?
    var mailbox: Mailbox?
    /// A background tracer waits this long for its first process before giving up.
    var idleUntil: Int = 0

    static let CLONE_THREAD: UInt64 = 0x10000
    static let PR_SET_NAME: Int64 = 15

    public init(poolSize: Int, genioSize: Int, waitForRequests: Bool, traceFileName: String) {
        pool = RequestPool(count: poolSize, genioSize: genioSize)
        recorder = Recorder(pool: pool, genioSize: genioSize, waitForRequests: waitForRequests)
        tables = (Syscalls.table(.x86_64), Syscalls.table(.i386))
        special = (SpecialSyscalls(.x86_64), SpecialSyscalls(.i386))
        self.traceFileName = traceFileName
        pool.start()
    }

    @inline(__always) func desc(_ arch: LinuxArch, _ nr: Int) -> SyscallDesc? {
        let t = arch == .x86_64 ? tables.x86_64 : tables.i386
        return nr >= 0 && nr < t.count ? t[nr] : nil
    }

    @inline(__always) func specials(_ arch: LinuxArch) -> SpecialSyscalls {
        arch == .x86_64 ? special.x86_64 : special.i386
    }

    /// Adds the first thread of a process ktrace started or attached to.
    func adopt(pid: Int32, facilities: Facilities, fd: Int32, recording: Bool) -> TracedThread {
        let p = TracedProcess(pid: pid, facilities: facilities, fd: fd, arch: .x86_64)
        p.liveThreads = 1
        let t = TracedThread(tid: pid, process: p, comm: threadComm(pid: pid, tid: pid), recording: recording)
        threads[pid] = t
        return t
    }

    // MARK: the loop

    /// Runs until no tracee is left. Returns the number of events lost.
    public func run() -> Int {
        var status: Int32 = 0
        while true {
            if cpt_take_wakeup() != 0 { serviceControl() }
            let tid = startupPending ? waitFinishingStartup(&status) : waitForStop(&status)
            if tid < 0 {
                if errno == EINTR { continue }
                // ECHILD: nothing left to trace, unless a new tracer still waits for
                // its first request.
                if threads.isEmpty && time(nil) < idleUntil {
                    usleep(10_000)
                    continue
                }
                break
            }
            recorder.stamp()
            handle(tid, status)
            if pool.writeError != 0 && !stoppedByWriteError { writeFailed() }
        }
        pool.stop()
        control?.remove()
        return recorder.droppedEvents
    }

    func handle(_ tid: Int32, _ status: Int32) {
        stops &+= 1
        guard let t = threads[tid] else {
            // A new tracee can report its first stop before its parent's fork
            // event names it: keep the stop until then.
            if cpt_wifstopped(status) != 0 { earlyStops[tid] = status }
            return
        }
        if let p = t.pendingPsig, handlerReached(t, p, status: status) { return }
        if cpt_wifexited(status) != 0 || cpt_wifsignaled(status) != 0 {
            gone(t)
            return
        }
        if let f = pendingFilter, f.tid == tid, settleFilter(f, status) { return }
        learnGap(t)
        sharing.atStop(t, now: recorder.nanoseconds, stops: stops)
        lastResumed = t
        if t.detaching {
            finishDetach(t, status: status)
            return
        }
        let sig = cpt_wstopsig(status)
        let event = cpt_wevent(status)
        if sig == SIGTRAP | 0x80 {
            syscallStop(t)
        } else if event != 0 {
            eventStop(t, event: event, signal: sig)
        } else {
            signalStop(t, signal: sig)
        }
    }

    // MARK: syscalls

    func syscallStop(_ t: TracedThread) {
        var info = cpt_syscall_info()
        if cpt_get_syscall_info(t.tid, &info) == 0 {
            if info.op == UInt8(CPT_OP_ENTRY) {
                if !isRepeatedEntry(t) { syscallEntry(t, info) }
            } else if info.op == UInt8(CPT_OP_EXIT) {
                syscallExit(t, info)
            }
        }
        if t.tid != 0 { resume(t, 0) }
    }

    func syscallEntry(_ t: TracedThread, _ info: cpt_syscall_info) {
        t.inSyscall = true
        t.execed = false
        t.nr = Int(truncatingIfNeeded: info.nr)
        t.arch = LinuxArch(auditArch: info.arch) ?? .x86_64
        t.args = (Int64(bitPattern: info.args.0), Int64(bitPattern: info.args.1), Int64(bitPattern: info.args.2),
                  Int64(bitPattern: info.args.3), Int64(bitPattern: info.args.4), Int64(bitPattern: info.args.5))
        let sp = specials(t.arch)
        t.selected = selection.contains(t.arch, t.nr)
        if !t.recording {
            // Tracing of a launched command starts at its execve, as on FreeBSD.
            guard sp.isExec(t.nr) else { return }
            t.recording = true
            t.process.arch = t.arch
            recorder.procctor(t)
        } else if t.arch != t.process.arch && t.selected {
            // (Only before a record: unselected syscalls may not stop at all under the filter.)
            // A syscall through the other ABI's gate (int $0x80 in a 64-bit process): a
            // PROCCTOR with that ABI, as after an exec, so kdump names it from the right table.
            t.process.arch = t.arch
            recorder.procctor(t)
        }
        let f = t.process.facilities
        let d = desc(t.arch, t.nr)
        if f.contains(.syscall) && t.selected { recorder.call(t, narg: d?.nargs ?? 6) }
        if t.nr == SpecialSyscalls.utrace && t.arch == .x86_64 {
            if f.contains(.user) { recorder.user(t, address: t.uarg(0), length: t.arg(1)) }
            return
        }
        guard let d else { return }
        if f.contains(.namei) && t.selected {
            for i in d.pathArgs { recorder.namei(t, address: t.uarg(i)) }
        }
        if sp.isExec(t.nr) {
            let argvIndex = t.nr == sp.execve ? 1 : 2
            if f.contains(.args) { recorder.execStrings(t, type: .args, vector: t.uarg(argvIndex)) }
            if f.contains(.envs) { recorder.execStrings(t, type: .envs, vector: t.uarg(argvIndex + 1)) }
            if !isRoot { checkPrivilegedExec(t, pathArg: d.pathArgs.first ?? 0) }
        } else if t.nr == sp.rtSigaction {
            learnHandler(t)
        } else if t.nr == sp.prctl && t.arg(0) == Tracer.PR_SET_NAME {
            var name = [CChar](repeating: 0, count: 16)
            t.pendingComm = cpt_read_string(t.tid, &name, t.uarg(1), 16) >= 0
                ? name.withUnsafeBytes { CommName(UnsafeRawBufferPointer(rebasing: $0[0..<15])) } : nil
        } else if t.nr == sp.clone {
            t.cloneFlags = t.uarg(0)
        } else if t.nr == sp.clone3 {
            var flags: UInt64 = 0
            t.cloneFlags = cpt_read_mem(t.tid, &flags, t.uarg(0), 8) == 8 ? flags : 0
        }
    }

    /// rt_sigaction's new handler, for the table PSIG uses while every syscall stops
    /// (under the filter rt_sigaction stops only when recorded, and the table is not
    /// used). Taken at the entry: the kernel refuses only what is checked here (a bad signal number, SIGKILL
    /// or SIGSTOP, a wrong sigset size, an unreadable action), and once it has read the
    /// action it changes it even if writing the old one back then fails.
    func learnHandler(_ t: TracedThread) {
        let sig = t.arg(0)
        guard sig > 0 && sig < 65 && sig != Int64(SIGKILL) && sig != Int64(SIGSTOP), t.arg(3) == 8,
              t.uarg(1) != 0 else { return }
        var h: UInt64 = 0
        let w = t.arch.wordSize
        guard cpt_read_mem(t.tid, &h, t.uarg(1), w) == w else { return }
        t.process.handlers[Int(sig)] = w == 4 ? h & 0xffff_ffff : h
    }

    func syscallExit(_ t: TracedThread, _ info: cpt_syscall_info) {
        guard t.inSyscall else { return }   // a stray exit stop (after attach)
        t.inSyscall = false
        guard t.recording else { return }
        var error: Int32 = info.is_error != 0 ? Int32(truncatingIfNeeded: -info.rval) : 0
        var retval = info.rval
        let f = t.process.facilities
        let sp = specials(t.arch)
        if t.nr == SpecialSyscalls.utrace && t.arch == .x86_64 {
            // Traced, utrace succeeds (the kernel said ENOSYS to the unknown number).
            _ = cpt_set_return(t.tid, 0)
            error = 0
            retval = 0
        }
        if t.execed {
            // The new image may have another ABI: announce it before the RET, as FreeBSD does.
            t.process.arch = LinuxArch(auditArch: info.arch) ?? t.process.arch
            recorder.procctor(t)
        }
        if error == 0, let d = desc(t.arch, t.nr) {
            if f.contains(.genio) && d.io != .none && t.selected { recordIO(t, d.io, retval) }
            // STRU records, and the NAMI of an AF_UNIX address (n) that comes with them.
            if (f.contains(.structure) || f.contains(.structArray) || f.contains(.namei)) && t.selected {
                for s in d.structs { recordStruct(t, s, retval) }
            }
            if t.nr == sp.prctl, let c = t.pendingComm { t.comm = c; t.pendingComm = nil }
        }
        if f.contains(.sysret) && t.selected { recorder.ret(t, error: error, retval: retval) }
    }

    func recordIO(_ t: TracedThread, _ io: IOCapture, _ ret: Int64) {
        let fd = t.arg(0)
        switch io {
        case .none: break
        case .read(let buf): recorder.genio(t, fd: fd, rw: GenioPayload.read, address: t.uarg(buf), count: ret)
        case .write(let buf): recorder.genio(t, fd: fd, rw: GenioPayload.write, address: t.uarg(buf), count: ret)
        case .readv(let iov, let count):
            recorder.genioVector(t, fd: fd, rw: GenioPayload.read, iov: t.uarg(iov), iovcnt: t.arg(count), count: ret)
        case .writev(let iov, let count):
            recorder.genioVector(t, fd: fd, rw: GenioPayload.write, iov: t.uarg(iov), iovcnt: t.arg(count), count: ret)
        case .recvmsg(let msg): recorder.genioMessage(t, fd: fd, rw: GenioPayload.read, msg: t.uarg(msg), count: ret)
        case .sendmsg(let msg): recorder.genioMessage(t, fd: fd, rw: GenioPayload.write, msg: t.uarg(msg), count: ret)
        case .recvmmsg(let vec): recorder.genioMessages(t, fd: fd, rw: GenioPayload.read, vec: t.uarg(vec), messages: ret)
        case .sendmmsg(let vec): recorder.genioMessages(t, fd: fd, rw: GenioPayload.write, vec: t.uarg(vec), messages: ret)
        }
    }

    func recordStruct(_ t: TracedThread, _ s: StructCapture, _ ret: Int64) {
        let f = t.process.facilities
        let wide = t.arch == .x86_64
        // An i386 process's structs are widened to the x86-64 layouts as they are recorded.
        func structure(_ name: StaticString, _ a: Int, size: Int, i386 layout: I386Layout?) {
            guard f.contains(.structure) else { return }
            if let layout, !wide {
                recorder.structure(t, name: name, address: t.uarg(a), i386: layout)
            } else {
                recorder.structure(t, name: name, address: t.uarg(a), size: size)
            }
        }
        /// The i386 syscalls with 64-bit structs end so (stat64, clock_nanosleep_time64, prlimit64).
        var i386Has64BitStruct: Bool { desc(t.arch, t.nr)?.name.hasSuffix("64") ?? false }
        switch s {
        case .stat(let a):
            structure("stat", a, size: LinuxStat.size, i386: i386Has64BitStruct ? .stat64 : .stat)
        case .statx(let a):
            if f.contains(.structure) { recorder.structure(t, name: "statx", address: t.uarg(a), size: 256) }
        case .sockaddrIn(let a, let len):
            sockaddr(t, address: t.uarg(a), length: t.arg(len), lookedUp: true)
        case .sockaddrOut(let a, let lenPtr):
            guard f.contains(.structure) else { return }
            var len: UInt32 = 0
            guard t.uarg(lenPtr) != 0, cpt_read_mem(t.tid, &len, t.uarg(lenPtr), 4) == 4 else { return }
            sockaddr(t, address: t.uarg(a), length: Int64(len), lookedUp: false)
        case .timespec(let a):
            structure("timespec", a, size: LinuxTimespec.size, i386: i386Has64BitStruct ? nil : .timespec)
        case .rlimit(let a):
            structure("rlimit", a, size: LinuxRlimit.size, i386: i386Has64BitStruct ? nil : .rlimit)   // prlimit64: 64-bit
        case .sigaction(let a):
            structure("sigaction", a, size: LinuxSigaction.size, i386: .sigaction)
        case .itimerval(let a):
            structure("itimerval", a, size: LinuxItimerval.size, i386: .itimerval)
        case .sigset(let a):
            if f.contains(.structure) { recorder.structure(t, name: "sigset", address: t.uarg(a), size: 8) }
        case .pollfds(let a, let count):
            if f.contains(.structArray) { recorder.structArray(t, name: "pollfd", address: t.uarg(a), itemSize: 8, count: t.arg(count)) }
        case .epollEvents(let a):
            // 12 bytes on both ABIs (packed on x86-64, 4-byte aligned on i386).
            if f.contains(.structArray) { recorder.structArray(t, name: "epoll_event", address: t.uarg(a), itemSize: 12, count: ret) }
        }
    }

    /// STRU sockaddr; and where the kernel looks the address up (bind, connect,
    /// sendto), the NAMI of an AF_UNIX path, as FreeBSD records its namei.
    func sockaddr(_ t: TracedThread, address: UInt64, length: Int64, lookedUp: Bool) {
        guard address != 0, length > 0 else { return }
        let n = Int(min(length, 128))
        let f = t.process.facilities
        if f.contains(.structure) {
            recorder.structure(t, name: "sockaddr", address: address, size: n)
        }
        guard lookedUp && f.contains(.namei) && n > 2 else { return }
        var raw: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { buf in
            guard cpt_read_mem(t.tid, buf.baseAddress!, address, n) == n,
                  buf.load(as: UInt16.self) == UInt16(AF_UNIX), buf[2] != 0 else { return }   // [2] == 0: abstract
            let path = UnsafeRawBufferPointer(rebasing: buf[2..<n])
            recorder.namei(t, bytes: UnsafeRawBufferPointer(rebasing: path[0..<(path.firstIndex(of: 0) ?? path.count)]))
        }
    }

    // MARK: events

    func eventStop(_ t: TracedThread, event: Int32, signal sig: Int32) {
        switch event {
        case CPT_EVENT_STOP:
            if t.detachAtFirstStop {
                _ = cpt_detach(t.tid, 0)
                forget(t)
                return
            }
            if t.newborn {
                // A new child returns from fork/clone without a syscall-exit stop:
                // write the RET FreeBSD shows in the child (0) here.
                t.newborn = false
                if t.inSyscall {
                    t.inSyscall = false
                    if t.recording && t.selected && t.process.facilities.contains(.sysret) { recorder.ret(t, error: 0, retval: 0) }
                }
            }
            if sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU {
                // A group-stop: stay stopped (job control works) until SIGCONT.
                _ = cpt_listen(t.tid)
                return
            }
        case CPT_EVENT_EXEC:
            execEvent(t)
        case CPT_EVENT_FORK, CPT_EVENT_VFORK, CPT_EVENT_CLONE:
            var msg: UInt = 0
            if cpt_geteventmsg(t.tid, &msg) == 0 { newTracee(parent: t, tid: Int32(truncatingIfNeeded: msg), event: event) }
        case CPT_EVENT_EXIT:
            threadExiting(t)
        case CPT_EVENT_SECCOMP:
            seccompStop(t)
            return
        default:
            break
        }
        resume(t, 0)
    }

    func execEvent(_ t: TracedThread) {
        var old: UInt = 0
        let p = t.process
        var t = t
        if cpt_geteventmsg(t.tid, &old) == 0, Int32(truncatingIfNeeded: old) != t.tid {
            // execve from a non-leader thread: the kernel reports it under the leader's tid.
            if let execing = threads[Int32(truncatingIfNeeded: old)] {
                threads[Int32(truncatingIfNeeded: old)] = nil
                execing.tid = t.tid
                threads[t.tid] = execing
                t = execing
            }
        }
        // Every other thread is gone; some of their deaths are never reported.
        for (tid, other) in threads where other.process === p && other !== t { threads[tid] = nil }
        p.liveThreads = 1
        p.resetHandlersForExec()
        t.execed = true
        t.comm = threadComm(pid: p.pid, tid: t.tid)
    }

    func newTracee(parent: TracedThread, tid: Int32, event: Int32) {
        guard tid > 0, threads[tid] == nil else { return }
        let isThread = event == CPT_EVENT_CLONE && parent.cloneFlags & Tracer.CLONE_THREAD != 0
        let pp = parent.process
        let child: TracedThread
        if isThread {
            pp.liveThreads += 1
            child = TracedThread(tid: tid, process: pp, comm: parent.comm, recording: parent.recording)
        } else {
            let p = TracedProcess(pid: tid, facilities: pp.facilities, fd: pp.fd, arch: pp.arch, handlers: pp.handlers)
            p.tracedParent = true
            p.liveThreads = 1
            child = TracedThread(tid: tid, process: p, comm: parent.comm, recording: parent.recording)
            // A clone without CLONE_THREAD that ptrace followed although -i was not given.
            if !pp.facilities.contains(.inherit) {
                // Let go, unless it carries the filter: then it stays traced, unrecorded.
                if filterInstalled { silence(p) } else { child.detachAtFirstStop = true }
            }
        }
        // The child returns from the same syscall: its RET is the parent's call's.
        child.inSyscall = true
        child.newborn = true
        child.nr = parent.nr
        child.arch = parent.arch
        child.selected = parent.selected
        threads[tid] = child
        if !child.detachAtFirstStop && !isThread && child.recording { recorder.procctor(child) }
        if let early = earlyStops.removeValue(forKey: tid) { handle(tid, early) }
    }

    func threadExiting(_ t: TracedThread) {
        let p = t.process
        p.liveThreads -= 1
        if p.liveThreads <= 0 { endProcess(t) }
    }

    /// PROCDTOR, then every record to the file before the exit can be seen by the
    /// parent (the tracee is still stopped in PTRACE_EVENT_EXIT).
    func endProcess(_ t: TracedThread) {
        let p = t.process
        guard !p.ended else { return }
        p.ended = true
        if t.recording { recorder.procdtor(t) }
        // Only an exit seen outside the trace (the command's, an attached process's)
        // must wait for the file; a traced child's parent is itself traced, and its
        // records are queued after the child's.
        if !p.tracedParent { pool.flush() }
    }

    func gone(_ t: TracedThread) {
        if t.tid == t.process.pid { endProcess(t) }
        forget(t)
    }

    func forget(_ t: TracedThread) {
        if threads[t.tid] === t { threads[t.tid] = nil }
        if lastResumed === t { lastResumed = nil }
    }

    // MARK: signals

    /// A PSIG needs the signal's action. A handler's address is known from the
    /// rt_sigaction calls the process made while every syscall stopped; otherwise
    /// (under the seccomp filter, which lets rt_sigaction through, or for a handler set
    /// before an attach) the signal is delivered single-stepping, and the thread stops
    /// again at the handler's first instruction, which is its address.
    func signalStop(_ t: TracedThread, signal sig: Int32) {
        guard t.recording && t.process.facilities.contains(.psig) else { resume(t, sig); return }
        let action = disposition(t, signal: sig)
        if isDiscarded(action, signal: sig) { resume(t, sig); return }
        var info = cpt_siginfo()
        if cpt_getsiginfo(t.tid, &info) != 0 { info.code = 0 }
        var mask: UInt64 = 0
        _ = cpt_getsigmask(t.tid, &mask)
        let p = PendingPsig(signal: sig, code: info.code, mask: mask)
        if action == TracedProcess.caughtHandler {
            t.pendingPsig = p
            if cpt_singlestep(t.tid, sig) == 0 { return }
            t.pendingPsig = nil
        }
        recorder.psig(t, p, action: action)
        resume(t, sig)
    }

    /// The next stop of a thread delivering a caught signal single-stepping: normally
    /// a SIGTRAP at the handler's first instruction, where the PSIG is written with its
    /// address and the thread goes on (true). Any other stop (the kernel could not set
    /// up the handler's frame, the thread was killed) writes the PSIG without it and is
    /// handled as usual (false).
    func handlerReached(_ t: TracedThread, _ p: PendingPsig, status: Int32) -> Bool {
        t.pendingPsig = nil
        var ip: UInt64 = 0
        let reached = cpt_wifstopped(status) != 0 && cpt_wevent(status) == 0 && cpt_wstopsig(status) == SIGTRAP
            && cpt_get_ip(t.tid, &ip) == 0
        let handler = reached ? (t.arch.wordSize == 4 ? ip & 0xffff_ffff : ip) : TracedProcess.caughtHandler
        // Every syscall stops here: later rt_sigaction calls keep the table right.
        if reached && !filterInstalled { t.process.handlers[Int(p.signal)] = handler }
        recorder.psig(t, p, action: handler)
        if reached { resume(t, 0) }
        return reached
    }

    /// The action for `sig` in `t`'s process: the table learnt from rt_sigaction, or,
    /// under the filter, what /proc says now (SIG_DFL, SIG_IGN or caught).
    func disposition(_ t: TracedThread, signal sig: Int32) -> UInt64 {
        guard sig > 0 && sig < 65 else { return PsigPayload.sigDFL }
        guard filterInstalled else { return t.process.handlers[Int(sig)] }
        var ignored: UInt64 = 0, caught: UInt64 = 0
        guard cpt_signal_sets(t.process.pid, &ignored, &caught) == 0 else { return TracedProcess.caughtHandler }
        return TracedProcess.action(sig, ignored: ignored, caught: caught)
    }

    /// Signals Linux discards but still shows a tracer: SIG_IGN, or SIG_DFL for one whose
    /// default is to ignore. FreeBSD never delivers those, so they get no PSIG.
    func isDiscarded(_ action: UInt64, signal sig: Int32) -> Bool {
        let defaultIgnored: UInt64 = 1 << UInt64(SIGCHLD) | 1 << UInt64(SIGCONT) | 1 << UInt64(SIGURG) | 1 << UInt64(SIGWINCH)
        if action == PsigPayload.sigIGN { return true }
        return action == PsigPayload.sigDFL && sig > 0 && sig < 64 && defaultIgnored & (1 << UInt64(sig)) != 0
    }

    // MARK: privileges and failures

    /// Not root, and the program about to be executed is set-id or has file
    /// capabilities: stop tracing so that it runs with its privileges (FreeBSD).
    func checkPrivilegedExec(_ t: TracedThread, pathArg: Int) {
        var path = [CChar](repeating: 0, count: 4096)
        guard cpt_read_string(t.tid, &path, t.uarg(pathArg), 4096) > 0 else { return }
        var p = String(cString: path)
        if !p.hasPrefix("/") { p = "/proc/\(t.process.pid)/cwd/" + p }
        var st = stat()
        guard stat(p, &st) == 0 else { return }
        let setid = st.st_mode & S_ISUID != 0 || (st.st_mode & S_ISGID != 0 && st.st_mode & S_IXGRP != 0)
        let caps = cpt_has_file_caps(p) != 0
        guard setid || caps else { return }
        if filterInstalled {
            // Detaching would leave it under the filter with no tracer (ENOSYS); and with
            // no_new_privs (or ptrace) the exec grants no privileges anyway.
            Diagnostics.warnx("\(t.process.pid): \(String(cString: path)) is \(setid ? "set-id" : "privileged by file capabilities"): it runs without its privileges under ktrace's seccomp filter (no_new_privs); tracing continues")
            return
        }
        Diagnostics.warnx("\(t.process.pid): \(String(cString: path)) is \(setid ? "set-id" : "privileged by file capabilities"): tracing stopped so that it runs with its privileges")
        recorder.procdtor(t)
        pool.flush()
        for (tid, other) in threads where other.process === t.process {
            _ = cpt_detach(tid, 0)
            threads[tid] = nil
        }
        t.tid = 0   // detached: the loop must not resume it
    }

    func writeFailed() {
        stoppedByWriteError = true
        Diagnostics.warnx("write to \(traceFileName) failed: \(Diagnostics.errorText(pool.writeError)); tracing stopped")
        // Each is let go at its next stop (under our seccomp filter: kept, silent).
        for p in processes { beginDetach(p) }
    }
}
