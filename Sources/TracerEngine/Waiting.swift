#if canImport(Glibc)
import Glibc
#endif
import CPtrace

/// How the tracer waits for the next stop.
///
/// A tracer that sleeps in waitpid is woken by the stopping tracee, usually on
/// another CPU; on a virtual machine, waking a halted CPU costs tens of
/// microseconds, more than the syscall being traced. So before sleeping the tracer
/// polls (waitpid with WNOHANG) for a short while when the thread it last resumed
/// usually stops again that soon: a syscall's exit after a quick syscall, the next
/// entry in a syscall-heavy loop. When the thread usually runs longer (a blocking
/// read, computation between syscalls), it sleeps at once and wastes no CPU. With one
/// usable CPU it never polls, and polling yields the CPU to any thread that wants it.
/// Each thread keeps two running estimates of the time from one stop to the next:
/// one from a syscall's entry to its exit, one from its exit to the next stop.
struct SpinPolicy {
    /// The longest poll, in nanoseconds; 0 never polls. `KTRACE_SPIN_US` sets it.
    let limit: Int

    static let defaultMicroseconds = 200

    init() {
        // On one CPU the tracee can only run while the tracer waits: polling gains nothing.
        var us = cpt_usable_cpus() > 1 ? SpinPolicy.defaultMicroseconds : 0
        if let v = getenv("KTRACE_SPIN_US"), let n = Int(String(cString: v)), n >= 0, n <= 10_000 { us = n }
        limit = us * 1000
    }
}

extension Tracer {
    /// The next stop of any tracee: waitpid(-1, __WALL), after a short poll when one
    /// is expected soon. Returns what waitpid returns.
    @inline(__always) func waitForStop(_ status: inout Int32) -> Int32 {
        if spin.limit > 0, sharing.cpu < 0, let t = lastResumed, expectedGap(t) <= spin.limit {
            let until = monotonicNanoseconds() + spin.limit
            repeat {
                let tid = waitpid(-1, &status, CPT_WALL | WNOHANG)
                if tid != 0 { return tid }
                // A control request: back to the loop, as a blocking waitpid would be (EINTR).
                if cpt_wakeup_pending() != 0 { errno = EINTR; return -1 }
                // Polling must not keep a tracee that shares this CPU from running.
                sched_yield()
            } while monotonicNanoseconds() < until
        }
        return waitpid(-1, &status, CPT_WALL)
    }

    /// In a launched command's tracer, until its control socket and CPU-sharing
    /// watchdog run: they start when the tracer first has nothing to do, so that the
    /// command does not wait for them at its exec; a stop already there comes first.
    func waitFinishingStartup(_ status: inout Int32) -> Int32 {
        let tid = waitpid(-1, &status, CPT_WALL | WNOHANG)
        if tid != 0 { return tid }
        startupPending = false
        startControl()
        sharing.start()
        return waitForStop(&status)
    }

    @inline(__always) func expectedGap(_ t: TracedThread) -> Int {
        t.inSyscall ? t.gapInSyscall : t.gapAfterSyscall
    }

    /// At each stop of `t` (stamped in `recorder.now`): updates its estimate for the
    /// phase it was resumed in. Samples are capped so that one long wait (a blocking
    /// read) does not stop polling for the many short ones that follow.
    @inline(__always) func learnGap(_ t: TracedThread) {
        let now = recorder.nanoseconds
        if t.lastStopAt != 0 {
            let gap = min(max(now &- t.lastStopAt, 0), 2 * spin.limit)
            if t.inSyscall {
                t.gapInSyscall += (gap - t.gapInSyscall) / 4
            } else {
                t.gapAfterSyscall += (gap - t.gapAfterSyscall) / 4
            }
        }
        t.lastStopAt = now
    }
}

@inline(__always) func monotonicNanoseconds() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int(ts.tv_sec) &* 1_000_000_000 &+ Int(ts.tv_nsec)
}
