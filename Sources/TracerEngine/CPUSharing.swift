#if canImport(Glibc)
import Glibc
#endif
import CPtrace

/// Running the tracer on the tracee's CPU.
///
/// Every stop is a hand-over between two threads: the tracee stops and wakes the
/// tracer, the tracer resumes the tracee. When they sit on different CPUs, each
/// hand-over wakes an idle CPU, and on a virtual machine waking a halted CPU costs
/// tens of microseconds, several times the work of the stop itself. On one CPU the
/// hand-over is a plain context switch.
///
/// The tracee's own affinity and priority are never touched (a program can see them,
/// and its children inherit them). Instead the tracer thread pins itself to the CPU
/// the tracee last ran on and runs at SCHED_IDLE: the kernel counts a CPU running
/// only SCHED_IDLE threads as idle, so the tracee it resumes is woken right there.
/// It does not poll then (SpinPolicy): it sleeps in waitpid at once and hands the CPU
/// over.
///
/// SCHED_IDLE loses to any other thread on that CPU, so a busy CPU would starve the
/// tracer and every tracee with it. So the tracer shares only while /proc/loadavg
/// shows fewer running threads than CPUs, besides its own; and a watchdog thread
/// (cptrace.c) puts it back to normal scheduling on all its CPUs when it could run but
/// has handled no stop for 20 ms, to try again after a back-off that doubles each
/// time. Tracees that change CPUs every few stops are not followed for a while (each
/// move is a migration). Sharing is off with one usable CPU, where the user may not
/// leave SCHED_IDLE again (no CAP_SYS_NICE and RLIMIT_NICE below 20), and with
/// `KTRACE_SHARE_CPU=0`.
struct CPUSharing {
    /// The CPU the tracer is pinned to, or -1 while it runs normally.
    private(set) var cpu: Int32 = -1
    private var enabled: Bool
    private var started = false
    /// When the tracee's CPU was last looked up, and when sharing may be tried again.
    private var lastLookup = 0
    /// From one look to the next: each look reads two /proc files (tens of µs), so
    /// while the tracee stays where the tracer is, the interval doubles up to
    /// `longestInterval`; any change brings it back to `lookupInterval`.
    private var interval = CPUSharing.lookupInterval
    private var retryAt = 0
    private var backoff = CPUSharing.firstBackoff
    private var sharedSince = 0
    /// The stop counts at the last four moves, oldest first.
    private var recentMoves = (Int.min / 2, Int.min / 2, Int.min / 2, Int.min / 2)
    private var lastLookedUp: Int32 = 0
    // Calm at first: a traced command starts sharing at its first look.
    private var calm = CPUSharing.calmLookups, crowded = 0
    /// KTRACE_STATS: moves to another CPU, and returns to normal scheduling.
    private(set) var moves = 0

    static let lookupInterval = 1_000_000            // 1 ms
    static let longestInterval = 16_000_000          // 16 ms
    static let calmLookups = 4
    static let otherThreadInterval = 100_000          // 100 µs
    /// Fewer stops than this per move, on average over four moves, is thrashing.
    static let stopsPerMove = 8
    static let firstBackoff = 100_000_000            // 100 ms
    static let longestBackoff = 5_000_000_000        // 5 s

    init() {
        let off = getenv("KTRACE_SHARE_CPU").map { String(cString: $0) == "0" } ?? false
        enabled = !off && cpt_usable_cpus() > 1
    }

    var rescues: Int { Int(cpt_share_rescues()) }

    /// Starts the watchdog, on the thread that runs the loop (it is the one pinned),
    /// before that loop handles a stop or, in a launched command's tracer, when it
    /// first has nothing to do (Tracer.waitFinishingStartup). Until then, nothing is shared.
    mutating func start() {
        guard enabled && !started else { return }
        started = true
        if cpt_share_start() != 0 { enabled = false }
    }

    /// At each stop of `t`, at `now` (ns): now and then, looks at the machine's load
    /// and follows `t` to its CPU.
    @inline(__always) mutating func atStop(_ t: TracedThread, now: Int, stops: Int) {
        guard enabled && started else { return }
        cpt_share_progressed(stops)
        if cpt_share_rescued() != 0 {
            cpu = -1
            retryAt = now &+ backoff
            backoff = min(backoff * 2, CPUSharing.longestBackoff)
            return
        }
        let sinceLookup = now &- lastLookup
        // Once an interval; sooner for another thread than the last one looked up (a
        // new child that the kernel started on another CPU, its parent once it is done).
        guard sinceLookup >= interval || sinceLookup < 0
              || (t.tid != lastLookedUp && sinceLookup >= CPUSharing.otherThreadInterval) else { return }
        lastLookup = now
        lastLookedUp = t.tid
        let lastInterval = interval
        interval = CPUSharing.lookupInterval
        if cpu < 0 && now &- retryAt < 0 { return }
        if cpt_share_crowded() != 0 {
            // Twice in a row: the tracer's own writer can be running at a look, briefly.
            crowded += 1
            calm = 0
            if cpu >= 0 && crowded >= 2 { cpt_share_release(); cpu = -1 }
            if cpu < 0 { return }
        } else {
            crowded = 0
            calm += 1
        }
        // Sharing again only after a few calm looks: a passing thread is no reason to move.
        if cpu < 0 && calm < CPUSharing.calmLookups { return }
        cpt_share_settle()
        // A second of sharing without starving: the next starvation backs off briefly again.
        if cpu >= 0 && now &- sharedSince > 1_000_000_000 { backoff = CPUSharing.firstBackoff }
        let c = cpt_task_cpu(t.tid)
        if c >= 0 && c == cpu { interval = min(lastInterval * 2, CPUSharing.longestInterval) }
        guard c >= 0, c != cpu else { return }
        if cpt_share_cpu(c) != 0 {
            // Not a CPU this tracer may use (a cpuset): run normally, as without sharing.
            enabled = false
            cpu = -1
            return
        }
        if cpu < 0 { sharedSince = now }
        cpu = c
        moves += 1
        // A move costs a migration, worth it only if enough stops follow on the new CPU:
        // tracees that keep changing CPUs with few stops in between (threads busy on
        // several CPUs) make the tracer run normally for a while instead.
        recentMoves = (recentMoves.1, recentMoves.2, recentMoves.3, stops)
        if stops &- recentMoves.0 < CPUSharing.stopsPerMove * 4 {
            cpt_share_release()
            cpu = -1
            retryAt = now &+ CPUSharing.firstBackoff
            recentMoves = (Int.min / 2, Int.min / 2, Int.min / 2, Int.min / 2)
        }
    }
}
