import KtraceFormat

// CALL argument printing in FreeBSD kdump's style (usr.bin/kdump/kdump.c and
// linux.c, lib/libsysdecode):
//   - plain values: print_number, `%#jx` of the register (`%jd` with -d);
//   - enums: print_integer_arg, the name or `<invalid=%#x>` (`<invalid=%d>` with -d);
//   - masks: print_mask_arg, `%#x<NAME|NAME>`, `<invalid>%u` after it when no name
//     matched; print_mask_arg0 prints a zero mask as `0`. Masks ignore -d.
//   - file modes: decode_filemode, `%#o<S_IRUSR|...>`.
// Values that are C ints (flags, fds, modes, pids) are read from the low 32 bits, so
// a sign-extended and a zero-extended register print the same.
// Without `fancy` (kdump -n) every argument is print_number, like FreeBSD, where the
// whole symbolic decoding is skipped.

extension ArgumentFormatter {
    /// Whether kdump prints argument `index` at all. In fancy mode FreeBSD drops open's
    /// mode unless O_CREAT is set (here: or O_TMPFILE), and fcntl's argument for the
    /// commands that take none.
    public static func isShown(_ desc: SyscallDesc?, args: SyscallPayload, index: Int, fancy: Bool) -> Bool {
        guard fancy, let desc, index > 0 else { return true }
        switch desc.kind(index) {
        case .fileMode where desc.kind(index - 1) == .openFlags:
            let flags = Int64(cInt(args[index - 1]))
            return flags & (LinuxXlat.oCreat | LinuxXlat.oTmpfileBit) != 0
        case .fcntlArg:
            return !fcntlCommandsWithoutArgument.contains(Int64(cInt(args[index - 1])))
        default:
            return true
        }
    }

    /// The whole argument list as kdump prints it after the syscall name: `(a,b,c)`,
    /// or nothing when the record has no arguments.
    public static func appendArguments(_ desc: SyscallDesc?, args: SyscallPayload, fancy: Bool, decimal: Bool,
                                       into out: ByteBuffer) {
        guard args.count > 0 else { return }
        var separator = UInt8(ascii: "(")
        for i in 0..<args.count where isShown(desc, args: args, index: i, fancy: fancy) {
            out.append(byte: separator)
            separator = UInt8(ascii: ",")
            append(desc, args: args, index: i, fancy: fancy, decimal: decimal, into: out)
        }
        out.append(byte: UInt8(ascii: ")"))
    }

    static func appendArgument(_ desc: SyscallDesc?, args: SyscallPayload, index: Int, fancy: Bool, decimal: Bool,
                               into out: ByteBuffer) {
        let value = args[index]
        guard fancy, let desc else { appendNumber(value, decimal: decimal, into: out); return }
        let kind = desc.kind(index)
        switch kind {
        case .socketProtocol:
            let domain = precedingValue(of: .socketDomain, desc, args, index).map(cInt) ?? -1
            if Int64(domain) == LinuxXlat.pfInet || Int64(domain) == LinuxXlat.pfInet6 {
                LinuxXlat.ipProtocols.appendEnumArg(value, decimal: decimal, into: out)
            } else {
                appendNumber(value, decimal: decimal, into: out)
            }
        case .sockOptName:
            let level = precedingValue(of: .socketLevel, desc, args, index).map(cInt) ?? -1
            if let name = socketOptionTable(level: Int64(level))?.name(Int64(cInt(value))) {
                out.append(name)
            } else {
                appendNumber(value, decimal: decimal, into: out)
            }
        case .fcntlArg:
            appendFcntlArgument(command: Int64(cInt(args[index - 1])), value, decimal: decimal, into: out)
        default:
            appendSymbolic(kind: kind, value: value, decimal: decimal, into: out)
        }
    }

    /// One value decoded by its kind alone, as a CALL argument of that kind prints
    /// (for kinds that depend on another argument, see `append`). Struct printers use
    /// this too, e.g. `.signal`, `.pollEvents`, `.fileMode`.
    public static func appendSymbolic(kind: ArgKind, value: Int64, decimal: Bool, into out: ByteBuffer) {
        switch kind {
        case .hex, .path, .personality, .fcntlArg:
            appendNumber(value, decimal: decimal, into: out)
        case .decimal:
            out.appendDecimal(Int64(cInt(value)))
        case .dirfd:
            LinuxXlat.atFDs.appendEnumOrNumber(value, decimal: decimal, into: out)
        case .openFlags:
            appendOpenFlags(value, into: out)
        case .fileMode:
            appendFileMode(value, into: out)
        case .ioctlRequest:
            appendIoctlRequest(value, decimal: decimal, into: out)
        case .cloneFlags:
            appendCloneFlags(value, into: out)
        case .signal:
            LinuxSignals.appendName(cInt(value), into: out)
        case .socketType:
            appendSocketType(value, into: out)
        case .socketProtocol:
            LinuxXlat.ipProtocols.appendEnumArg(value, decimal: decimal, into: out)
        case .socketLevel:
            appendSocketLevel(value, decimal: decimal, into: out)
        case .sockOptName:
            LinuxXlat.socketOptions.appendEnumOrNumber(value, decimal: decimal, into: out)
        case .futexOp:
            appendFutexOp(value, decimal: decimal, into: out)
        case .clockId:
            appendClockId(cInt(value), into: out)
        default:
            guard let entry = tableStyle[kind] else {
                appendNumber(value, decimal: decimal, into: out)
                return
            }
            let (table, style) = entry
            switch style {
            case .enumeration: table.appendEnumArg(value, decimal: decimal, into: out)
            case .mask: table.appendMaskArg(value, into: out)
            case .maskZeroIsPlain: table.appendMaskArg(value, zeroIsPlain: true, into: out)
            }
        }
    }

    /// print_number: `%#jx` of the whole register, `%jd` with -d.
    public static func appendNumber(_ value: Int64, decimal: Bool, into out: ByteBuffer) {
        if decimal { out.appendDecimal(value) } else { out.appendAltHex(UInt64(bitPattern: value)) }
    }

    // MARK: - Table-driven kinds

    enum Style { case enumeration, mask, maskZeroIsPlain }

    /// Kinds printed straight from one table: print_integer_arg, print_mask_arg or print_mask_arg0.
    static let tableStyle: [ArgKind: (Xlat, Style)] = [
        .accessMode: (LinuxXlat.accessModes, .mask),
        .atFlags: (LinuxXlat.atFlags, .maskZeroIsPlain),
        .unlinkatFlags: (LinuxXlat.unlinkatFlags, .maskZeroIsPlain),
        .renameFlags: (LinuxXlat.renameFlags, .maskZeroIsPlain),
        .statxMask: (LinuxXlat.statxMask, .mask),
        .mmapProt: (LinuxXlat.mmapProt, .mask),
        .mmapFlags: (LinuxXlat.mmapFlags, .mask),
        .madvise: (LinuxXlat.madvise, .enumeration),
        .mremapFlags: (LinuxXlat.mremapFlags, .maskZeroIsPlain),
        .msyncFlags: (LinuxXlat.msyncFlags, .maskZeroIsPlain),
        .mlockallFlags: (LinuxXlat.mlockallFlags, .mask),
        .fcntlCmd: (LinuxXlat.fcntlCommands, .enumeration),
        .flockOp: (LinuxXlat.flockOps, .mask),
        .lseekWhence: (LinuxXlat.lseekWhence, .enumeration),
        .fadvice: (LinuxXlat.fadvice, .enumeration),
        .dup3Flags: (LinuxXlat.dup3Flags, .maskZeroIsPlain),
        .pipe2Flags: (LinuxXlat.pipe2Flags, .maskZeroIsPlain),
        .eventfdFlags: (LinuxXlat.eventfdFlags, .maskZeroIsPlain),
        .timerfdFlags: (LinuxXlat.timerfdFlags, .maskZeroIsPlain),
        .signalfdFlags: (LinuxXlat.signalfdFlags, .maskZeroIsPlain),
        .inotifyInitFlags: (LinuxXlat.inotifyInitFlags, .maskZeroIsPlain),
        .epollFlags: (LinuxXlat.epollFlags, .maskZeroIsPlain),
        .closeRangeFlags: (LinuxXlat.closeRangeFlags, .maskZeroIsPlain),
        .memfdFlags: (LinuxXlat.memfdFlags, .maskZeroIsPlain),
        .inotifyMask: (LinuxXlat.inotifyMask, .mask),
        .pollEvents: (LinuxXlat.pollEvents, .mask),
        .epollCtlOp: (LinuxXlat.epollCtlOps, .enumeration),
        .waitOptions: (LinuxXlat.waitOptions, .maskZeroIsPlain),
        .idtype: (LinuxXlat.idtypes, .enumeration),
        .sigprocmaskHow: (LinuxXlat.sigprocmaskHow, .enumeration),
        .rlimitResource: (LinuxXlat.rlimitResources, .enumeration),
        .rusageWho: (LinuxXlat.rusageWho, .enumeration),
        .whichPrio: (LinuxXlat.prioWhich, .enumeration),
        .schedPolicy: (LinuxXlat.schedPolicies, .enumeration),
        .prctlOption: (LinuxXlat.prctlOptions, .enumeration),
        .archPrctlCode: (LinuxXlat.archPrctlCodes, .enumeration),
        .ptraceRequest: (LinuxXlat.ptraceRequests, .enumeration),
        .getrandomFlags: (LinuxXlat.getrandomFlags, .maskZeroIsPlain),
        .timerFlags: (LinuxXlat.timerFlags, .maskZeroIsPlain),
        .itimerWhich: (LinuxXlat.itimerWhich, .enumeration),
        .socketDomain: (LinuxXlat.socketDomains, .enumeration),
        .socketFlags: (LinuxXlat.socketFlags, .maskZeroIsPlain),
        .msgFlags: (LinuxXlat.msgFlags, .maskZeroIsPlain),
        .shutdownHow: (LinuxXlat.shutdownHow, .enumeration),
    ]

    // MARK: - Kinds with their own rules

    /// C int view of a register.
    @inline(__always)
    static func cInt(_ v: Int64) -> Int32 { Int32(truncatingIfNeeded: v) }

    /// The value of the nearest earlier argument of `kind` (socket's domain, setsockopt's level).
    static func precedingValue(of kind: ArgKind, _ desc: SyscallDesc, _ args: SyscallPayload, _ index: Int) -> Int64? {
        var i = index - 1
        while i >= 0 { if desc.kind(i) == kind { return args[i] }; i -= 1 }
        return nil
    }

    /// sysdecode_linux_open_flags inside print_mask_arg: the access mode first, then the flags.
    static func appendOpenFlags(_ value: Int64, into out: ByteBuffer) {
        let v = UInt64(UInt32(truncatingIfNeeded: value))
        out.appendAltHex(v)
        out.append(byte: UInt8(ascii: "<"))
        var printed = false
        var mode = v & 3
        if let name = LinuxXlat.openAccessModes.name(Int64(mode)) {
            out.append(name)
            printed = true
            mode = 0
        }
        let rem = LinuxXlat.openFlags.appendFlags(v & ~3, printed: &printed, into: out) | mode
        out.append(byte: UInt8(ascii: ">"))
        if !printed { Xlat.appendInvalidRemainder(rem, into: out) }
    }

    /// decode_filemode: `0`, or `%#o<S_...>`.
    static func appendFileMode(_ value: Int64, into out: ByteBuffer) {
        let v = UInt64(UInt32(truncatingIfNeeded: value))
        if v == 0 { out.append(byte: UInt8(ascii: "0")); return }
        out.appendAltOctal(v)
        out.append(byte: UInt8(ascii: "<"))
        var printed = false
        let rem = LinuxXlat.fileMode.appendFlags(v, printed: &printed, into: out)
        out.append(byte: UInt8(ascii: ">"))
        if !printed { Xlat.appendInvalidRemainder(rem, into: out) }
    }

    /// kdump's ioctlname: the request name, or `%#lx` (`%lu` with -d).
    static func appendIoctlRequest(_ value: Int64, decimal: Bool, into out: ByteBuffer) {
        if let name = LinuxXlat.ioctlRequests.name(Int64(UInt32(truncatingIfNeeded: value))) {
            out.append(name)
        } else if decimal {
            out.appendDecimal(UInt64(bitPattern: value))
        } else {
            out.appendAltHex(UInt64(bitPattern: value))
        }
    }

    /// sysdecode_linux_clone_flags inside print_mask_arg: the exit signal first, in
    /// parentheses, then the CLONE_* names. FreeBSD leaves `printed` unset after the
    /// signal; here the signal counts as printed but adds no `|`, so
    /// `0x1200011<(SIGCHLD)CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID>` and `0x11<(SIGCHLD)>`.
    static func appendCloneFlags(_ value: Int64, into out: ByteBuffer) {
        let v = UInt64(UInt32(truncatingIfNeeded: value))
        out.appendAltHex(v)
        out.append(byte: UInt8(ascii: "<"))
        let signal = Int32(Int64(v) & LinuxXlat.cloneSignalMask)
        if signal != 0 {
            out.append(byte: UInt8(ascii: "("))
            if let name = LinuxSignals.staticName(signal) { out.append(name) } else { out.append("(null)") }
            out.append(byte: UInt8(ascii: ")"))
        }
        var printed = false
        let rem = LinuxXlat.cloneFlags.appendFlags(v & ~UInt64(LinuxXlat.cloneSignalMask), printed: &printed, into: out)
        out.append(byte: UInt8(ascii: ">"))
        if !printed && signal == 0 { Xlat.appendInvalidRemainder(rem, into: out) }
    }

    static let socketFlagBits = LinuxXlat.socketFlags.entries.reduce(UInt64(0)) { $0 | UInt64($1.value) }

    /// sysdecode_socket_type inside print_mask_arg: the type name, then SOCK_CLOEXEC|SOCK_NONBLOCK.
    static func appendSocketType(_ value: Int64, into out: ByteBuffer) {
        let v = UInt64(UInt32(truncatingIfNeeded: value))
        let flagBits = socketFlagBits
        out.appendAltHex(v)
        out.append(byte: UInt8(ascii: "<"))
        var printed = false
        var rem: UInt64 = 0
        if let name = LinuxXlat.socketTypes.name(Int64(v & ~flagBits)) {
            out.append(name)
            printed = true
        } else {
            rem = v & ~flagBits
        }
        LinuxXlat.socketFlags.appendFlags(v & flagBits, printed: &printed, into: out)
        out.append(byte: UInt8(ascii: ">"))
        if !printed { Xlat.appendInvalidRemainder(rem, into: out) }
    }

    /// sysdecode_sockopt_level via print_integer_arg_valid: SOL_*, an IP protocol, or the number.
    static func appendSocketLevel(_ value: Int64, decimal: Bool, into out: ByteBuffer) {
        let level = Int64(cInt(value))
        if let name = LinuxXlat.socketLevels.name(level) ?? LinuxXlat.ipProtocols.name(level) {
            out.append(name)
        } else {
            Xlat.appendCInt(level, decimal: decimal, into: out)
        }
    }

    static func socketOptionTable(level: Int64) -> Xlat? {
        switch level {
        case LinuxXlat.solSocket: return LinuxXlat.socketOptions
        case LinuxXlat.ipprotoIP: return LinuxXlat.ipOptions
        case LinuxXlat.ipprotoIPv6: return LinuxXlat.ipv6Options
        case LinuxXlat.ipprotoTCP: return LinuxXlat.tcpOptions
        default: return nil
        }
    }

    /// fcntl commands FreeBSD's sysdecode_fcntl_arg_p rejects (F_GETFD, F_GETFL, F_GETOWN),
    /// plus Linux's other argument-less getters.
    static let fcntlCommandsWithoutArgument: Set<Int64> = [1, 3, 9, 11, 1025, 1032, 1034]

    /// sysdecode_fcntl_arg: F_SETFL as open flags, F_SETFD as FD_CLOEXEC, locks as
    /// pointers, anything else as print_integer (`0x%x`, `%d` with -d).
    static func appendFcntlArgument(command: Int64, _ value: Int64, decimal: Bool, into out: ByteBuffer) {
        switch command {
        case 4: // F_SETFL
            appendOpenFlags(value, into: out)
        case 2: // F_SETFD
            if let name = LinuxXlat.fdFlags.name(value) { out.append(name) } else { appendCIntBase(value, decimal, out) }
        case 5, 6, 7, 12, 13, 14, 36, 37, 38: // F_GETLK, F_SETLK, F_SETLKW and their 64-bit and OFD forms
            out.append("0x")
            out.appendHexDigits(UInt64(bitPattern: value))
        default:
            appendCIntBase(value, decimal, out)
        }
    }

    /// libsysdecode's print_integer: `0x%x` (zero is `0x0`) or `%d`.
    static func appendCIntBase(_ value: Int64, _ decimal: Bool, _ out: ByteBuffer) {
        if decimal { out.appendDecimal(Int64(cInt(value))); return }
        out.append("0x")
        out.appendHexDigits(UInt64(UInt32(truncatingIfNeeded: value)))
    }

    /// The futex command with strace's suffixes: FUTEX_WAIT_PRIVATE, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME.
    static func appendFutexOp(_ value: Int64, decimal: Bool, into out: ByteBuffer) {
        let op = Int64(cInt(value))
        let command = op & ~(LinuxXlat.futexPrivateFlag | LinuxXlat.futexClockRealtime)
        guard let name = LinuxXlat.futexCommands.name(command) else {
            LinuxXlat.futexCommands.appendEnumArg(op, decimal: decimal, into: out)
            return
        }
        out.append(name)
        if op & LinuxXlat.futexPrivateFlag != 0 { out.append("_PRIVATE") }
        if op & LinuxXlat.futexClockRealtime != 0 { out.append("|FUTEX_CLOCK_REALTIME") }
    }

    /// sysdecode_linux_clockid: a CLOCK_* name or `UNKNOWN(%d)`; negative ids are the
    /// CPU clocks of a process or thread, `PROCESS|CPUCLOCK_SCHED(pid)`.
    static func appendClockId(_ which: Int32, into out: ByteBuffer) {
        if which >= 0 {
            if let name = LinuxXlat.clockIds.name(Int64(which)) { out.append(name); return }
            out.append("UNKNOWN(")
            out.appendDecimal(Int64(which))
            out.append(byte: UInt8(ascii: ")"))
            return
        }
        let perThread: Int32 = 4, clockFD: Int32 = 3
        if which & (perThread | clockFD) == perThread | clockFD {
            out.append("INVALID PERTHREAD|CLOCKFD")
        } else {
            out.append(which & perThread != 0 ? "THREAD|" : "PROCESS|")
            let cpuClock = which & 3
            if let name = LinuxXlat.cpuClockIds.name(Int64(cpuClock)) {
                out.append(name)
            } else if cpuClock == clockFD {
                out.append("CLOCKFD")
            } else {
                out.append("UNKNOWN(")
                out.appendDecimal(Int64(which))
                out.append(byte: UInt8(ascii: ")"))
            }
        }
        out.append(byte: UInt8(ascii: "("))
        out.appendDecimal(Int64(~(which >> 3)))
        out.append(byte: UInt8(ascii: ")"))
    }
}
