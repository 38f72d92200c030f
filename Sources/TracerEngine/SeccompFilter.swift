#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import CSeccomp
import KtraceFormat
import LinuxABI

/// A launched command that has been told to load the filter.
struct PendingFilter {
    let tid: Int32
    /// Where the command writes the errno if it could not (non-blocking).
    let report: Int32
    /// The ptrace options of a trace without a filter.
    let optionsWithoutFilter: UInt
}

/// The seccomp filter ktrace puts in a command it starts, so that only the syscalls
/// that can produce a requested record (or that ktrace itself must see) stop the
/// command; every other one runs at full speed (strace's --seccomp-bpf).
///
/// What ktrace itself must see, whatever the facilities and `-e`:
/// - execve/execveat: records start there, and the ABI may change;
/// - clone/clone3: their flags tell a new thread from a new process (threads are
///   followed through PTRACE_O_TRACECLONE, but the event stop does not carry the flags);
/// - fork/vfork with `-i` (the child's RET names the parent's syscall);
/// - prctl: PR_SET_NAME changes the name in every record header;
/// - ktrace's utrace number (0x7574, x86-64) with `u`.
/// Signals need no syscall stop: signal-delivery-stops happen under PTRACE_CONT too, and
/// the handler a PSIG shows is learnt at the delivery (Tracer.signalStop), so that
/// rt_sigaction, which gcc alone calls hundreds of times in a build, runs unstopped.
struct SeccompFilter {
    /// Per ABI, by number: this syscall must stop the command.
    let x86_64: [Bool]
    let i386: [Bool]
    /// Numbers no table knows must stop too (a selection that includes them, with `c`).
    let others: Bool
    let utrace: Bool

    /// SECCOMP_RET_TRACE's data in ktrace's filter: "KT".
    static let traceData: UInt32 = 0x4b54
    static let actTrace: UInt32 = 0x7ff0_0000 | traceData
    static let actAllow: UInt32 = 0x7fff_0000

    /// nil when every syscall must stop anyway (`c` with no `-e`): no filter then.
    init?(facilities f: Facilities, selection: SyscallSelection) {
        // KTRACE_NO_SECCOMP=1: the fallback path on purpose (tests compare the two).
        if let v = getenv("KTRACE_NO_SECCOMP"), strcmp(v, "1") == 0 { return nil }
        let records = !f.isDisjoint(with: [.syscall, .sysret])
        x86_64 = SeccompFilter.needed(.x86_64, f, selection)
        i386 = SeccompFilter.needed(.i386, f, selection)
        others = records && selection.contains(.x86_64, Int.max)
        utrace = f.contains(.user)
        // Numbers without a table entry stop through `others`; only known ones can be let through.
        func stopsAll(_ needed: [Bool], _ arch: LinuxArch) -> Bool {
            !zip(Syscalls.table(arch), needed).contains { $0.0 != nil && !$0.1 }
        }
        if others && stopsAll(x86_64, .x86_64) && stopsAll(i386, .i386) { return nil }
    }

    /// Which syscalls of `arch` must stop for facilities `f` restricted to `selection`.
    static func needed(_ arch: LinuxArch, _ f: Facilities, _ selection: SyscallSelection) -> [Bool] {
        let sp = SpecialSyscalls(arch)
        let records = !f.isDisjoint(with: [.syscall, .sysret])
        let structs = !f.isDisjoint(with: [.structure, .structArray])
        return Syscalls.table(arch).enumerated().map { nr, d in
            guard let d else { return false }
            if sp.isFollowed(nr) { return true }
            if f.contains(.inherit) && sp.isFork(nr) { return true }
            guard selection.contains(arch, nr) else { return false }
            return records
                || f.contains(.namei) && (!d.pathArgs.isEmpty || d.name == "bind" || d.name == "connect")
                || f.contains(.genio) && d.io != .none
                || structs && !d.structs.isEmpty
        }
    }

    /// The filter as classic BPF, one program per ABI, built but not yet loaded.
    struct Compiled {
        /// Each program's 8-byte instructions, as libseccomp exported them.
        var programs: [[UInt8]] = []

        /// Loads the programs into the calling process (the command, just before its
        /// exec), the x86-64 one first. Returns how many loaded, and the errno of the
        /// one that failed (0 when all did). Without CAP_SYS_ADMIN the kernel wants
        /// no_new_privs first; that also means a set-id program the command executes
        /// does not gain its privileges.
        func load() -> (loaded: Int, error: Int32) {
            for (i, p) in programs.enumerated() {
                let rc = p.withUnsafeBytes { cpt_seccomp_load($0.baseAddress, UInt16(p.count / 8)) }
                if rc != 0 { return (i, rc) }
            }
            return (programs.count, 0)
        }
    }

    /// Builds the filter with libseccomp (milliseconds: the command does it while the
    /// tracer starts, and loads it once traced). Returns the programs or an errno.
    ///
    /// Two filters, one per ABI, each letting the other ABI through: libseccomp reads
    /// a rule's number as a native (x86-64) one and maps it to other ABIs by name,
    /// which fails for i386 syscalls it has no name for (newer than its tables) or
    /// files under socketcall/ipc. So the x86-64 filter lists our numbers as they are,
    /// and the i386 one is built by name (`i386Context`).
    func compile() -> Result<Compiled, Errno> {
        guard let native = SeccompFilter.context(default: others ? SeccompFilter.actTrace : SeccompFilter.actAllow) else {
            return .failure(Errno(ENOMEM))
        }
        defer { seccomp_release(native) }
        for nr in x86_64.indices where x86_64[nr] != others {
            let rc = seccomp_rule_add_exact_array(native, x86_64[nr] ? SeccompFilter.actTrace : SeccompFilter.actAllow,
                                                  Int32(nr), 0, nil)
            if rc != 0 { return .failure(Errno(-rc)) }
        }
        if utrace && !others {
            let rc = seccomp_rule_add_exact_array(native, SeccompFilter.actTrace, Int32(SpecialSyscalls.utrace), 0, nil)
            if rc != 0 { return .failure(Errno(-rc)) }
        }
        guard let i386Filter = i386Context(small: true) ?? i386Context(small: false) else { return .failure(Errno(EINVAL)) }
        defer { seccomp_release(i386Filter) }
        var compiled = Compiled()
        for ctx in [native, i386Filter] {
            switch SeccompFilter.export(ctx) {
            case .success(let bytes): compiled.programs.append(bytes)
            case .failure(let e): return .failure(e)
            }
        }
        return .success(compiled)
    }

    /// The i386 filter. `small`: every syscall runs but the needed ones, possible only
    /// when libseccomp names each of those exactly (nil otherwise). Else every syscall
    /// stops but those it names exactly and ktrace does not need: one it cannot
    /// express stops (more stops, the same records), and none that is needed is ever
    /// let through. The small form is also much quicker for libseccomp to build.
    private func i386Context(small: Bool) -> scmp_filter_ctx? {
        let table = Syscalls.table(.i386)
        /// libseccomp's (native or pseudo) number for i386 syscall `nr`, if its name maps back to `nr`.
        func exact(_ nr: Int) -> Int32? {
            guard let name = table[nr]?.name,
                  seccomp_syscall_resolve_name_arch(LinuxArch.auditArchI386, name) == Int32(nr) else { return nil }
            return seccomp_syscall_resolve_name(name)
        }
        // The rules: the needed syscalls to stop (small), or the others to let through.
        let rules = i386.indices.filter { i386[$0] == small }.map { (nr: $0, number: exact($0)) }
        if small && (others || rules.contains { $0.number == nil }) { return nil }
        guard let ctx = SeccompFilter.context(default: small ? SeccompFilter.actAllow : SeccompFilter.actTrace) else { return nil }
        var ok = seccomp_arch_remove(ctx, LinuxArch.auditArchX86_64) == 0 && seccomp_arch_add(ctx, LinuxArch.auditArchI386) == 0
        for case let (_, number?) in rules where ok {
            let rc = seccomp_rule_add_exact_array(ctx, small ? SeccompFilter.actTrace : SeccompFilter.actAllow, number, 0, nil)
            // A needed syscall left out would run unseen; an allow rule left out only stops more.
            if rc != 0 && small { ok = false }
        }
        guard ok else { seccomp_release(ctx); return nil }
        return ctx
    }

    /// The BPF libseccomp generates for `ctx` (through a memfd: libseccomp 2.5 exports
    /// to a descriptor only).
    private static func export(_ ctx: scmp_filter_ctx) -> Result<[UInt8], Errno> {
        let fd = cpt_memfd("ktrace-seccomp")
        guard fd >= 0 else { return .failure(Errno(errno)) }
        defer { close(fd) }
        let rc = seccomp_export_bpf(ctx, fd)
        guard rc == 0 else { return .failure(Errno(-rc)) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0, size % 8 == 0, size / 8 <= Int(UInt16.max) else { return .failure(Errno(EINVAL)) }
        var bytes = [UInt8](repeating: 0, count: size)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, 0) }
        return n == size ? .success(bytes) : .failure(Errno(n < 0 ? errno : EIO))
    }

    /// A libseccomp context for the native ABI that lets other ABIs through.
    private static func context(default action: UInt32) -> scmp_filter_ctx? {
        guard let ctx = seccomp_init(action) else { return nil }
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)
        // A binary search over the rules: allowed syscalls pass a few jumps, not every rule.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, actAllow)
        return ctx
    }
}

// MARK: the tracer with a filter in place

extension Tracer {
    /// Resumes a stopped thread. With the filter in place only the exit of a syscall
    /// being traced needs a syscall stop: everything else runs until the next
    /// seccomp stop, signal or event (PTRACE_CONT).
    @inline(__always) func resume(_ t: TracedThread, _ sig: Int32) {
        if filterInstalled && !t.inSyscall {
            _ = cpt_cont(t.tid, sig)
        } else {
            _ = cpt_syscall(t.tid, sig)
        }
    }

    /// PTRACE_EVENT_SECCOMP: a syscall the filter traps is entering. Do the entry work
    /// and resume with PTRACE_SYSCALL to get its exit stop.
    ///
    /// The kernel's order of this stop and the syscall-entry stop changed in 4.8 (seccomp
    /// first before, entry first since); both happen only while the thread runs under
    /// PTRACE_SYSCALL (before the command's execve, or a new thread's first syscall).
    /// No order is assumed: the second report of the same syscall is recognised (the
    /// thread is already in it, entered by the other kind of stop) and ignored.
    ///
    /// When nothing is to be done at the exit (a NAMI-only trace, a process kept
    /// silent), the thread goes on with PTRACE_CONT: one stop for the syscall, not two.
    func seccompStop(_ t: TracedThread) {
        var info = cpt_syscall_info()
        var exitNeeded = true
        if cpt_get_syscall_info(t.tid, &info) == 0 && info.op == UInt8(CPT_OP_SECCOMP) {
            if !(t.inSyscall && !t.enteredBySeccomp) {
                syscallEntry(t, info)
                exitNeeded = !filterInstalled || needsExitStop(t)
            }
            t.enteredBySeccomp = true
        }
        guard t.tid != 0 else { return }
        if exitNeeded {
            _ = cpt_syscall(t.tid, 0)
        } else {
            t.inSyscall = false
            _ = cpt_cont(t.tid, 0)
        }
    }

    /// Whether the syscall `t` just entered has work at its exit: a record (RET, GIO,
    /// STRU, the NAMI of an AF_UNIX address) or state ktrace follows (exec, clone and
    /// fork, the thread's name, utrace's return value).
    func needsExitStop(_ t: TracedThread) -> Bool {
        guard t.recording else { return true }
        let sp = specials(t.arch)
        if sp.isFollowed(t.nr) || sp.isFork(t.nr) || t.nr == SpecialSyscalls.utrace { return true }
        guard t.selected else { return false }
        let f = t.process.facilities
        if f.contains(.sysret) { return true }
        guard let d = desc(t.arch, t.nr) else { return false }
        return f.contains(.genio) && d.io != .none
            || !f.isDisjoint(with: [.structure, .structArray, .namei]) && !d.structs.isEmpty
    }

    /// At a plain syscall-entry stop: true if it repeats the entry a seccomp stop already
    /// reported (the pre-4.8 order).
    func isRepeatedEntry(_ t: TracedThread) -> Bool {
        if t.inSyscall && t.enteredBySeccomp { return true }
        t.enteredBySeccomp = false
        return false
    }

    /// At each stop of a command loading the filter: a seccomp stop shows that the
    /// filter is in place. A SIGTRAP that follows a report on the pipe is the command
    /// saying that it could not load it: from here on it is traced as without a filter
    /// (every syscall stops; no kill on exit; children without -i let go), and the
    /// signal is not delivered. Returns true if it handled the stop.
    func settleFilter(_ f: PendingFilter, _ status: Int32) -> Bool {
        guard cpt_wifstopped(status) != 0 else { return false }
        if cpt_wevent(status) == CPT_EVENT_SECCOMP {
            filterInstalled = true
        } else {
            var error: Int32 = 0
            guard cpt_wevent(status) == 0 && cpt_wstopsig(status) == SIGTRAP,
                  read(f.report, &error, 4) == 4 && error != 0 else { return false }
            _ = cpt_setoptions(f.tid, f.optionsWithoutFilter)
            _ = cpt_syscall(f.tid, 0)
        }
        close(f.report)
        pendingFilter = nil
        return !filterInstalled
    }

    /// Records stop for this process but it stays traced: a process under the filter
    /// whose tracer lets go gets ENOSYS from every trapped syscall.
    func silence(_ p: TracedProcess) {
        p.facilities = []
    }

    /// `KTRACE_STATS=1`: the number of stops (to check what the filter saves) and the
    /// tracer's own peak memory (the bench's RSS figures are the command's).
    func reportStats() {
        guard getenv("KTRACE_STATS") != nil else { return }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let ms = { (t: timeval) in Int(t.tv_sec) * 1000 + Int(t.tv_usec) / 1000 }
        Diagnostics.warnx("\(stops) stops, tracer peak RSS \(usage.ru_maxrss) KiB, "
                          + "tracer CPU \(ms(usage.ru_utime)) ms user \(ms(usage.ru_stime)) ms system"
                          + ", CPU sharing \(sharing.moves) moves \(sharing.rescues) returns")
    }
}
