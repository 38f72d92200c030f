// Linux signal numbers (x86, asm-generic numbering) and si_code values.
// Names are FreeBSD libsysdecode's for Linux (sysdecode_linux_signal), so PSIG and
// kill(2) lines read as FreeBSD's kdump prints them for a Linux process: 32 and 33
// are glibc's internal SIGCANCEL and SIGSETXID, 34...63 SIGRT2...SIGRT31, 64 SIGRTMAX.

/// Index = signal number - 1.
let signalNames: [StaticString] = [
    "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
    "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
    "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    "SIGCANCEL", "SIGSETXID", "SIGRT2", "SIGRT3", "SIGRT4", "SIGRT5", "SIGRT6", "SIGRT7", "SIGRT8", "SIGRT9", "SIGRT10", "SIGRT11", "SIGRT12", "SIGRT13", "SIGRT14", "SIGRT15", "SIGRT16", "SIGRT17", "SIGRT18", "SIGRT19", "SIGRT20", "SIGRT21", "SIGRT22", "SIGRT23", "SIGRT24", "SIGRT25", "SIGRT26", "SIGRT27", "SIGRT28", "SIGRT29", "SIGRT30", "SIGRT31",
    "SIGRTMAX",
]

let linuxSigRtMax: Int32 = 64

enum SignalNumber {
    static let SIGILL: Int32 = 4, SIGTRAP: Int32 = 5, SIGBUS: Int32 = 7, SIGFPE: Int32 = 8
    static let SIGSEGV: Int32 = 11, SIGCHLD: Int32 = 17, SIGIO: Int32 = 29, SIGSYS: Int32 = 31
}

enum SignalTables {
    /// Index = signal number; nil at 0.
    static let names: [String?] = [nil] + signalNames.map { "\($0)" }

    /// si_code values any signal can carry (include/uapi/asm-generic/siginfo.h).
    static let genericCodes = Xlat([
        (0, "SI_USER"), (0x80, "SI_KERNEL"), (-1, "SI_QUEUE"), (-2, "SI_TIMER"), (-3, "SI_MESGQ"),
        (-4, "SI_ASYNCIO"), (-5, "SI_SIGIO"), (-6, "SI_TKILL"), (-7, "SI_DETHREAD"), (-60, "SI_ASYNCNL"),
    ])

    static let perSignalCodes: [Int32: Xlat] = [
        SignalNumber.SIGILL: Xlat([
            (1, "ILL_ILLOPC"), (2, "ILL_ILLOPN"), (3, "ILL_ILLADR"), (4, "ILL_ILLTRP"), (5, "ILL_PRVOPC"),
            (6, "ILL_PRVREG"), (7, "ILL_COPROC"), (8, "ILL_BADSTK"), (9, "ILL_BADIADDR"),
        ]),
        SignalNumber.SIGFPE: Xlat([
            (1, "FPE_INTDIV"), (2, "FPE_INTOVF"), (3, "FPE_FLTDIV"), (4, "FPE_FLTOVF"), (5, "FPE_FLTUND"),
            (6, "FPE_FLTRES"), (7, "FPE_FLTINV"), (8, "FPE_FLTSUB"), (14, "FPE_FLTUNK"), (15, "FPE_CONDTRAP"),
        ]),
        SignalNumber.SIGSEGV: Xlat([
            (1, "SEGV_MAPERR"), (2, "SEGV_ACCERR"), (3, "SEGV_BNDERR"), (4, "SEGV_PKUERR"), (5, "SEGV_ACCADI"),
            (6, "SEGV_ADIDERR"), (7, "SEGV_ADIPERR"), (8, "SEGV_MTEAERR"), (9, "SEGV_MTESERR"), (10, "SEGV_CPERR"),
        ]),
        SignalNumber.SIGBUS: Xlat([
            (1, "BUS_ADRALN"), (2, "BUS_ADRERR"), (3, "BUS_OBJERR"), (4, "BUS_MCEERR_AR"), (5, "BUS_MCEERR_AO"),
        ]),
        SignalNumber.SIGTRAP: Xlat([
            (1, "TRAP_BRKPT"), (2, "TRAP_TRACE"), (3, "TRAP_BRANCH"), (4, "TRAP_HWBKPT"), (5, "TRAP_UNK"),
            (6, "TRAP_PERF"),
        ]),
        SignalNumber.SIGCHLD: Xlat([
            (1, "CLD_EXITED"), (2, "CLD_KILLED"), (3, "CLD_DUMPED"), (4, "CLD_TRAPPED"), (5, "CLD_STOPPED"),
            (6, "CLD_CONTINUED"),
        ]),
        SignalNumber.SIGIO: Xlat([
            (1, "POLL_IN"), (2, "POLL_OUT"), (3, "POLL_MSG"), (4, "POLL_ERR"), (5, "POLL_PRI"), (6, "POLL_HUP"),
        ]),
        SignalNumber.SIGSYS: Xlat([(1, "SYS_SECCOMP"), (2, "SYS_USER_DISPATCH")]),
    ]

    /// libsysdecode's sysdecode_sigcode order: generic codes first, then the signal's own.
    static func code(signal: Int32, code: Int32) -> StaticString? {
        if let n = genericCodes.name(Int64(code)) { return n }
        return perSignalCodes[signal]?.name(Int64(code))
    }
}
