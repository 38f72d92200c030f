#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat
import LinuxABI

/// A traced process: what FreeBSD keeps in `struct proc` for ktrace (p_traceflag,
/// the trace file, the pending-drop flag) plus what ptrace cannot tell us on demand.
final class TracedProcess {
    let pid: Int32
    var facilities: Facilities
    /// Trace file this process's records go to.
    var fd: Int32
    /// KTR_DROP goes on this process's next record (FreeBSD's KTRFAC_DROP).
    var dropPending = false
    var arch: LinuxArch
    /// Signal handler addresses by signal number (0 = SIG_DFL, 1 = SIG_IGN), learnt
    /// from rt_sigaction; shared by the threads, copied by fork.
    var handlers: [UInt64]
    var liveThreads = 0
    /// PROCDTOR written.
    var ended = false
    /// Created by a traced process's fork (-i): its exit is seen by a traced parent.
    var tracedParent = false

    init(pid: Int32, facilities: Facilities, fd: Int32, arch: LinuxArch, handlers: [UInt64]? = nil) {
        self.pid = pid
        self.facilities = facilities
        self.fd = fd
        self.arch = arch
        self.handlers = handlers ?? TracedProcess.handlersFromProc(pid)
    }

    /// "Caught, address unknown" (neither SIG_DFL nor SIG_IGN): the address is learnt
    /// when the signal is delivered (Tracer.signalStop).
    static let caughtHandler: UInt64 = 2

    /// For a process attached while running: /proc tells which signals are caught or
    /// ignored, not the handlers' addresses.
    static func handlersFromProc(_ pid: Int32) -> [UInt64] {
        var h = [UInt64](repeating: 0, count: 65)
        var ignored: UInt64 = 0, caught: UInt64 = 0
        guard cpt_signal_sets(pid, &ignored, &caught) == 0 else { return h }
        for sig in 1...64 { h[sig] = action(Int32(sig), ignored: ignored, caught: caught) }
        return h
    }

    /// The action /proc's SigIgn and SigCgt masks give signal `sig` (1...64).
    static func action(_ sig: Int32, ignored: UInt64, caught: UInt64) -> UInt64 {
        let bit: UInt64 = 1 << UInt64(sig - 1)
        return ignored & bit != 0 ? PsigPayload.sigIGN : caught & bit != 0 ? caughtHandler : PsigPayload.sigDFL
    }

    /// exec resets caught signals to the default; ignored ones stay ignored.
    func resetHandlersForExec() {
        for i in handlers.indices where handlers[i] != PsigPayload.sigIGN { handlers[i] = 0 }
    }
}

/// A PSIG in the making: what the signal-delivery stop tells (the handler comes later).
struct PendingPsig {
    let signal: Int32
    let code: Int32
    /// The thread's blocked signals at delivery.
    let mask: UInt64
}

/// A traced thread and the syscall it is in.
final class TracedThread {
    var tid: Int32
    let process: TracedProcess
    var comm: CommName
    /// Records are written only once the launched command reaches its execve
    /// (before that, the process is ktrace itself getting ready).
    var recording: Bool
    var inSyscall = false
    var nr = 0
    var arch = LinuxArch.x86_64
    var args: (Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0)
    /// The execve in progress succeeded (PTRACE_EVENT_EXEC seen).
    var execed = false
    /// prctl(PR_SET_NAME) in progress: the new name read at entry.
    var pendingComm: CommName?
    /// clone/clone3 in progress: its flags, to tell threads from processes.
    var cloneFlags: UInt64 = 0
    /// Being let go: detached at its next stop (Attach.swift).
    var detaching = false
    /// The syscall in progress is in the -e selection: its CALL/RET/NAMI/GIO/STRU are written.
    var selected = true
    /// The syscall in progress was entered through a seccomp stop (SeccompFilter.swift).
    var enteredBySeccomp = false
    /// A caught signal delivered single-stepping, its PSIG waiting for the handler's
    /// address (Tracer.signalStop).
    var pendingPsig: PendingPsig?
    /// Created by fork/clone, its first stop not yet seen.
    var newborn = false
    /// A new process to be let go at its first stop (a child without -i).
    var detachAtFirstStop = false
    /// When it last stopped (CLOCK_REALTIME, ns), and how long it usually runs from a
    /// syscall's entry to its exit and from an exit to its next stop (Waiting.swift).
    var lastStopAt = 0
    var gapInSyscall = 0
    var gapAfterSyscall = 0

    init(tid: Int32, process: TracedProcess, comm: CommName, recording: Bool) {
        self.tid = tid
        self.process = process
        self.comm = comm
        self.recording = recording
    }

    @inline(__always) func arg(_ i: Int) -> Int64 {
        switch i {
        case 0: return args.0
        case 1: return args.1
        case 2: return args.2
        case 3: return args.3
        case 4: return args.4
        default: return args.5
        }
    }

    @inline(__always) func uarg(_ i: Int) -> UInt64 { UInt64(bitPattern: arg(i)) }
}

func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 4096)
    let n = read(fd, &buf, buf.count)
    guard n > 0 else { return nil }
    return String(decoding: buf[0..<n], as: UTF8.self)
}

/// A field of /proc/<pid>/status ("TracerPid", "Tgid"), as a number.
func statusNumber(_ pid: Int32, _ field: String) -> Int32? {
    guard let status = readSmallFile("/proc/\(pid)/status") else { return nil }
    let key = field + ":"
    for line in status.split(separator: "\n") where line.hasPrefix(key) {
        return Int32(line.dropFirst(key.count).trimmingSpaces)
    }
    return nil
}

/// The process tracing `pid` and that process's name, if any. TracerPid names the
/// tracing thread, which is not the process's first thread in ktrace's tracer.
func ptraceHolder(of pid: Int32) -> (pid: Int32, name: String)? {
    guard let thread = statusNumber(pid, "TracerPid"), thread != 0 else { return nil }
    let tracer = statusNumber(thread, "Tgid") ?? thread
    var name = readSmallFile("/proc/\(tracer)/comm") ?? "?"
    if name.hasSuffix("\n") { name.removeLast() }
    return (tracer, name)
}

/// The name the kernel keeps for a thread (/proc/pid/task/tid/comm).
func threadComm(pid: Int32, tid: Int32) -> CommName {
    guard var s = readSmallFile("/proc/\(pid)/task/\(tid)/comm") else { return CommName() }
    if s.hasSuffix("\n") { s.removeLast() }
    return CommName(s)
}
