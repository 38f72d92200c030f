#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat

/// `ktrace command`: as on FreeBSD, the process the shell started becomes the
/// command (same pid, so `$!`, `wait`, job control and the exit status are the
/// command's own). The tracer is a grandchild in a session of its own, outside
/// the command's process tree and out of reach of the terminal's signals; it
/// attaches before the exec.
public enum Launcher {
    public static func run(_ o: Options) -> Never {
        let filter = SeccompFilter(facilities: o.facilities, selection: o.selection)
        let fd = TraceFile.open(o.file, append: o.append)
        warnUnrecorded(o)
        var toTracer: [Int32] = [0, 0], toCommand: [Int32] = [0, 0]
        guard cpt_pipe_cloexec(&toTracer) == 0, cpt_pipe_cloexec(&toCommand) == 0 else { Diagnostics.err(1, "pipe") }
        let commandPid = getpid()
        let filtered = filter != nil
        guard TracerProcess.spawn(keep: [fd, toTracer[0], toCommand[1]], pidPipe: toCommand[1], {
            tracerMain(o, fd: fd, command: commandPid, fromCommand: toTracer[0], toCommand: toCommand[1], filtered: filtered)
        }) else { Diagnostics.err(1, "fork") }
        close(fd)
        // Built while the tracer starts (both take milliseconds), loaded once attached.
        let program = filter?.compile()
        var tracerPid: Int32 = 0
        guard read(toCommand[0], &tracerPid, 4) == 4, tracerPid > 0 else { Diagnostics.errx(1, "could not start the tracer") }
        // Under Yama's ptrace_scope 1 only an ancestor may attach unless we say so.
        _ = cpt_set_ptracer(tracerPid)
        var go: UInt8 = 1
        _ = write(toTracer[1], &go, 1)
        var attachError: Int32 = 0
        guard read(toCommand[0], &attachError, 4) == 4 else { Diagnostics.errx(1, "the tracer died before attaching") }
        if attachError != 0 { Diagnostics.err(1, "cannot trace \(commandPid)", errno: attachError) }
        if let program {
            // Only now, traced: a trapped syscall with no tracer would fail with ENOSYS.
            var failure: Int32 = 0
            switch program {
            case .success(let p):
                let (loaded, error) = p.load()
                if loaded == 0 {
                    failure = error
                } else if error != 0 {
                    // The x86-64 filter is in place (the tracer learns so at its first stop).
                    Diagnostics.warnx("seccomp filter for i386 syscalls not installed (\(Diagnostics.errorText(error))): they are not seen")
                }
            case .failure(let e):
                failure = e.code
            }
            if failure != 0 {
                Diagnostics.warnx("seccomp filter not installed (\(Diagnostics.errorText(failure))): every syscall stops")
                // Say so, then stop (SIGTRAP, which the tracer takes as this report and
                // does not deliver) so that every syscall stops before the exec. With the
                // filter in place nothing is said: its first stop tells the tracer.
                _ = write(toTracer[1], &failure, 4)
                var trap = sigset_t(), mask = sigset_t()
                sigemptyset(&trap)
                sigaddset(&trap, SIGTRAP)
                pthread_sigmask(SIG_UNBLOCK, &trap, &mask)
                _ = kill(commandPid, SIGTRAP)
                pthread_sigmask(SIG_SETMASK, &mask, nil)
            }
        }
        // From here every syscall is seen; records start at this execvp's execve.
        let cargs = o.command.map { strdup($0) } + [nil]
        _ = cpt_execvp(cargs[0], cargs)
        Diagnostics.err(1, "exec of '\(o.command[0])' failed")
    }

    /// A tracer holds no descriptor of the command's but the trace file and stderr:
    /// a pipe kept open here would keep its reader from ever seeing end-of-file.
    static func detachStdio() {
        let devnull = open("/dev/null", O_RDWR)
        dup2(devnull, 0)
        dup2(devnull, 1)
        if devnull > 2 { close(devnull) }
        signal(SIGPIPE, SIG_IGN)
        // A trace file over RLIMIT_FSIZE is a write error (EFBIG) to report, not a reason to die.
        signal(SIGXFSZ, SIG_IGN)
    }

    /// Facilities `-t` may ask for that have no ptrace counterpart: accepted, said once.
    static let unrecorded: [(Facilities, String)] = [
        (.csw, "w (context switches)"), (.sysctl, "y (sysctl names)"),
        (.fault, "f (page faults)"), (.capfail, "p (capability failures)"),
    ]

    static func warnUnrecorded(_ o: Options) {
        guard o.facilitiesGiven else { return }
        let asked = unrecorded.filter { o.facilities.contains($0.0) }.map(\.1)
        if !asked.isEmpty { Diagnostics.warnx("not recorded on Linux: " + asked.joined(separator: ", ")) }
    }

    static func tracerMain(_ o: Options, fd: Int32, command: Int32, fromCommand: Int32, toCommand: Int32,
                           filtered: Bool) -> Never {
        for d in [fd, fromCommand, toCommand] { _ = fcntl(d, F_SETFD, FD_CLOEXEC) }
        detachStdio()
        // The tracer gets ready in two parts, each while the command does its own part:
        // the pool and its writer while the command builds its filter, the control
        // socket and the CPU-sharing watchdog once the command runs (startupPending).
        let tracer = Tracer(poolSize: o.poolSize, genioSize: o.genioSize, waitForRequests: o.waitForRequests,
                            traceFileName: o.file)
        tracer.selection = o.selection
        _ = tracer.adopt(pid: command, facilities: o.facilities.union(.procABI), fd: fd, recording: false)
        var go: UInt8 = 0
        guard read(fromCommand, &go, 1) == 1 else { _exit(1) }
        var options = CPT_O_TRACESYSGOOD | CPT_O_TRACEEXEC | CPT_O_TRACEEXIT | CPT_O_TRACECLONE
        if o.inherit { options |= CPT_O_TRACEFORK | CPT_O_TRACEVFORK }
        let optionsWithoutFilter = options
        if filtered {
            // Killed with the tracer: under the filter without a tracer every trapped
            // syscall would fail with ENOSYS. Children without -i are followed too (and
            // not recorded) for the same reason.
            options |= CPT_O_TRACESECCOMP | CPT_O_EXITKILL | CPT_O_TRACEFORK | CPT_O_TRACEVFORK
        }
        var err: Int32 = 0
        if cpt_seize(command, UInt(options)) != 0 {
            err = errno
        } else if !filtered && cpt_interrupt(command) != 0 {
            // Without a filter the command must stop at once, to be resumed under
            // PTRACE_SYSCALL; with one, the filter stops it at its exec.
            err = errno
        }
        _ = write(toCommand, &err, 4)
        if err != 0 { _exit(1) }
        close(toCommand)
        tracer.startupPending = true
        if filtered {
            _ = fcntl(fromCommand, F_SETFL, O_NONBLOCK)
            tracer.pendingFilter = PendingFilter(tid: command, report: fromCommand, optionsWithoutFilter: UInt(optionsWithoutFilter))
        } else {
            close(fromCommand)
        }
        let lost = tracer.run()
        tracer.reportStats()
        if lost > 0 { Diagnostics.warnx("\(lost) event\(lost == 1 ? "" : "s") lost (out of request objects)") }
        _exit(0)
    }
}
