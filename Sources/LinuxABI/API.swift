import KtraceFormat

// Public entry points of the knowledge layer. Bodies are filled in by the tables
// (SyscallTable*.swift, Errno.swift, Signals.swift, Xlat*.swift).

public enum Syscalls {
    /// Indexed by syscall number; nil for numbers Linux does not define on that ABI.
    /// Built once per ABI; later calls return the same storage.
    public static func table(_ arch: LinuxArch) -> [SyscallDesc?] { SyscallABITable.of(arch).byNumber }

    /// The syscall `nr` on `arch`, or nil. No allocation: an index into the built table.
    @inline(__always)
    public static func lookup(_ arch: LinuxArch, _ nr: Int) -> SyscallDesc? {
        let t = SyscallABITable.of(arch).byNumber
        return nr >= 0 && nr < t.count ? t[nr] : nil
    }

    /// The number of the syscall called `name` on `arch` (a hash lookup).
    public static func number(named name: String, _ arch: LinuxArch) -> Int? {
        SyscallABITable.of(arch).byName[name]
    }
}

/// Linux errno numbers (positive), names and strerror texts.
public enum LinuxErrno {
    /// Highest errno Linux defines (EHWPOISON).
    public static let max: Int32 = 133

    /// Codes a syscall cut off by a signal returns inside the kernel
    /// (include/linux/errno.h). Programs never see them, a tracer does: at the
    /// syscall's exit, before the restart or the EINTR. Texts as strace prints them.
    static let restartTable: [(name: StaticString, text: StaticString)] = [
        ("ERESTARTSYS", "To be restarted if SA_RESTART is set"), // 512
        ("ERESTARTNOINTR", "To be restarted"), // 513
        ("ERESTARTNOHAND", "To be restarted if no handler"), // 514
        ("ENOIOCTLCMD", "No ioctl command"), // 515
        ("ERESTART_RESTARTBLOCK", "Interrupted by signal"), // 516
    ]

    static func entry(_ e: Int32) -> (name: StaticString, text: StaticString)? {
        if e >= 0 && Int(e) < errnoTable.count { return errnoTable[Int(e)] }
        if e >= 512 && Int(e) < 512 + restartTable.count { return restartTable[Int(e) - 512] }
        return nil
    }

    /// "ENOENT"; nil for 0, 41, 58 and numbers Linux does not define.
    public static func name(_ e: Int32) -> String? { staticName(e).map { "\($0)" } }
    /// "No such file or directory" (glibc's text); nil where `name` is nil.
    public static func text(_ e: Int32) -> String? { staticText(e).map { "\($0)" } }
    /// The name without building a String, for appending to a ByteBuffer.
    public static func staticName(_ e: Int32) -> StaticString? { entry(e)?.name }
    public static func staticText(_ e: Int32) -> StaticString? { entry(e)?.text }
}

/// Linux signal numbers, names and si_code names.
public enum LinuxSignals {
    /// SIGRTMAX on Linux/x86.
    public static let max: Int32 = linuxSigRtMax

    /// "SIGINT"; 32 "SIGCANCEL", 33 "SIGSETXID", 34...63 "SIGRT2"..."SIGRT31", 64 "SIGRTMAX"
    /// (FreeBSD libsysdecode's Linux names); nil outside 1...64.
    public static func name(_ sig: Int32) -> String? {
        sig > 0 && sig <= linuxSigRtMax ? SignalTables.names[Int(sig)] : nil
    }
    /// "SI_USER", "SEGV_MAPERR", "CLD_EXITED", ... for this signal.
    public static func codeName(signal: Int32, code: Int32) -> String? {
        SignalTables.code(signal: signal, code: code).map { "\($0)" }
    }
    /// Same, without building a String.
    public static func staticCodeName(signal: Int32, code: Int32) -> StaticString? {
        SignalTables.code(signal: signal, code: code)
    }
    /// The name without building a String.
    public static func staticName(_ sig: Int32) -> StaticString? {
        sig > 0 && sig <= linuxSigRtMax ? signalNames[Int(sig) - 1] : nil
    }
    /// kdump's print_signal: the name, or `SIG %d`.
    public static func appendName(_ sig: Int32, into out: ByteBuffer) {
        if let name = staticName(sig) { out.append(name); return }
        out.append("SIG ")
        out.appendDecimal(Int64(sig))
    }
}

/// Appends CALL arguments as kdump shows them (see ArgumentFormatter.swift for the rules
/// and for `appendArguments`, `isShown`, `appendSymbolic`, `appendNumber`).
public enum ArgumentFormatter {
    /// One argument, without separators. - fancy: symbolic decoding (kdump without -n); decimal: -d.
    public static func append(_ desc: SyscallDesc?, args: SyscallPayload, index: Int,
                              fancy: Bool, decimal: Bool, into out: ByteBuffer) {
        appendArgument(desc, args: args, index: index, fancy: fancy, decimal: decimal, into: out)
    }
}
