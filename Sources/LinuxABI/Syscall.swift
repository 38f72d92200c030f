import KtraceFormat

// The contract between the tracer and the decoder: what each Linux syscall takes,
// how each argument is shown, and what the tracer must copy out of the tracee
// for it. The tables themselves live in SyscallTable*.swift as data.

/// A Linux process ABI on x86 hardware.
public enum LinuxArch: Sendable, Hashable {
    case x86_64, i386

    public static let auditArchX86_64: UInt32 = 0xC000_003E
    public static let auditArchI386: UInt32 = 0x4000_0003

    /// From a PROCCTOR `sv_flags` (Linux ABI only).
    public init?(svFlags: UInt32) {
        guard svFlags & SVFlags.abiMask == SVFlags.abiLinux else { return nil }
        self = svFlags & SVFlags.ilp32 != 0 ? .i386 : .x86_64
    }

    /// From PTRACE_GET_SYSCALL_INFO's `arch` (AUDIT_ARCH_*).
    public init?(auditArch: UInt32) {
        switch auditArch {
        case LinuxArch.auditArchX86_64: self = .x86_64
        case LinuxArch.auditArchI386: self = .i386
        default: return nil
        }
    }

    public var svFlags: UInt32 { self == .x86_64 ? SVFlags.linux64 : SVFlags.linux32 }
    public var auditArch: UInt32 { self == .x86_64 ? LinuxArch.auditArchX86_64 : LinuxArch.auditArchI386 }
    /// Size of a pointer / long in the tracee.
    public var wordSize: Int { self == .x86_64 ? 8 : 4 }
}

/// strace's syscall classes (`%file`, `%network`, ...), for the `-e` filter.
public struct SyscallClasses: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let file = SyscallClasses(rawValue: 1 << 0)       // takes a file name (TF)
    public static let network = SyscallClasses(rawValue: 1 << 1)    // TN
    public static let process = SyscallClasses(rawValue: 1 << 2)    // TP
    public static let signal = SyscallClasses(rawValue: 1 << 3)     // TS
    public static let memory = SyscallClasses(rawValue: 1 << 4)     // TM
    public static let descriptor = SyscallClasses(rawValue: 1 << 5) // TD
    public static let ipc = SyscallClasses(rawValue: 1 << 6)        // TI
    public static let creds = SyscallClasses(rawValue: 1 << 7)      // TC
    public static let clock = SyscallClasses(rawValue: 1 << 8)      // TCL
    public static let stat = SyscallClasses(rawValue: 1 << 9)       // TST/TLST/TFST/TSTA
    public static let statfs = SyscallClasses(rawValue: 1 << 10)    // TSF/TFSF/TSFA
    public static let pure = SyscallClasses(rawValue: 1 << 11)      // PU

    /// Class names as strace spells them after `%` (also accepted: "net" for network, "desc").
    public static let names: [(String, SyscallClasses)] = [
        ("file", .file), ("network", .network), ("net", .network), ("process", .process),
        ("signal", .signal), ("memory", .memory), ("desc", .descriptor), ("descriptor", .descriptor),
        ("ipc", .ipc), ("creds", .creds), ("clock", .clock), ("stat", .stat), ("statfs", .statfs), ("pure", .pure),
    ]
}

/// How kdump shows one argument. `hex` is FreeBSD's print_number (`%#jx`, or `%jd` with -d);
/// every other kind has a symbolic form. With -n every kind, `decimal` included, prints as
/// `hex` does: FreeBSD's kdump skips all argument decoding without `fancy`.
public enum ArgKind: UInt8, Sendable, CaseIterable {
    case hex            // plain number or pointer
    case decimal        // always decimal (pids, counts FreeBSD prints in decimal)
    case path           // pointer to a path (shown as hex; the path itself is a NAMI record)
    case dirfd          // AT_FDCWD or the number
    case openFlags      // O_* with the access mode
    case fileMode       // octal permission bits, 0644
    case accessMode     // F_OK / R_OK|W_OK|X_OK
    case atFlags        // AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH|AT_REMOVEDIR|AT_EACCESS|...
    case mmapProt       // PROT_*
    case mmapFlags      // MAP_*
    case madvise        // MADV_*
    case fcntlCmd       // F_* ; the next argument is decoded according to it
    case fcntlArg       // depends on the preceding fcntlCmd (F_SETFL flags, F_SETFD FD_CLOEXEC, else number)
    case ioctlRequest   // TCGETS, FIONREAD, ... or the number
    case cloneFlags     // CLONE_* plus the exit signal in the low byte
    case waitOptions    // WNOHANG|WUNTRACED|__WALL|...
    case signal         // SIGINT, ...
    case sigprocmaskHow // SIG_BLOCK / SIG_UNBLOCK / SIG_SETMASK
    case socketDomain   // AF_INET, ...
    case socketType     // SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK
    case socketProtocol // IPPROTO_* (depends on domain; 0 stays 0)
    case lseekWhence    // SEEK_SET, ...
    case prctlOption    // PR_SET_NAME, ...
    case futexOp        // FUTEX_WAIT|FUTEX_PRIVATE_FLAG, ...
    case archPrctlCode  // ARCH_SET_FS, ...
    case getrandomFlags // GRND_*
    case statxMask      // STATX_*
    case dup3Flags      // O_CLOEXEC
    case pipe2Flags     // O_CLOEXEC|O_NONBLOCK|O_DIRECT
    case eventfdFlags   // EFD_*
    case closeRangeFlags // CLOSE_RANGE_*
    case rlimitResource // RLIMIT_*
    case clockId        // CLOCK_*
    case pollEvents     // POLL* (not an argument kind in practice; kept for struct decoding)
    case epollCtlOp     // EPOLL_CTL_*
    case socketLevel    // SOL_SOCKET, IPPROTO_TCP, ...
    case sockOptName    // SO_* (depends on level)
    case msgFlags       // MSG_*
    case shutdownHow    // SHUT_RD, ...
    case unlinkatFlags  // AT_REMOVEDIR
    case renameFlags    // RENAME_*
    case memfdFlags     // MFD_*
    case inotifyMask    // IN_*
    case timerFlags     // TIMER_ABSTIME
    case epollFlags     // EPOLL_CLOEXEC
    case mremapFlags    // MREMAP_*
    case msyncFlags     // MS_*
    case schedPolicy    // SCHED_*
    case whichPrio      // PRIO_*
    case itimerWhich    // ITIMER_*
    case idtype         // P_PID, ...
    case personality    // PER_* (number)
    // Added with the tables (kept after the original cases so raw values stay stable):
    case socketFlags    // SOCK_CLOEXEC|SOCK_NONBLOCK (accept4)
    case flockOp        // LOCK_SH|LOCK_EX|LOCK_NB|LOCK_UN
    case rusageWho      // RUSAGE_SELF, ...
    case ptraceRequest  // PTRACE_TRACEME, ...
    case fadvice        // POSIX_FADV_*
    case mlockallFlags  // MCL_*
    case timerfdFlags   // TFD_CLOEXEC|TFD_NONBLOCK
    case inotifyInitFlags // IN_CLOEXEC|IN_NONBLOCK
    case signalfdFlags  // SFD_CLOEXEC|SFD_NONBLOCK
}

/// What the tracer copies for the `i` facility after a successful call.
public enum IOCapture: Sendable, Equatable {
    case none
    /// buf at `buf`, byte count = return value; fd = arg 0.
    case read(buf: Int)
    case write(buf: Int)
    /// iovec array at `iov`, count at `count`; bytes = return value, spread over the iovecs.
    case readv(iov: Int, count: Int)
    case writev(iov: Int, count: Int)
    /// struct msghdr at `msg`; bytes = return value over msg_iov.
    case recvmsg(msg: Int)
    case sendmsg(msg: Int)
    /// struct mmsghdr array at `vec`, count = return value; each msg_len per message.
    case recvmmsg(vec: Int)
    case sendmmsg(vec: Int)
}

/// What the tracer copies for the `t` facility after a successful call.
public enum StructCapture: Sendable, Equatable {
    /// struct stat (x86-64 layout, 144 bytes; i386 struct stat64 converted) at arg.
    case stat(arg: Int)
    /// struct statx at arg.
    case statx(arg: Int)
    /// sockaddr at `arg`, its length the value of arg `len` (input sockaddrs: bind, connect, sendto).
    case sockaddrIn(arg: Int, len: Int)
    /// sockaddr at `arg`, its length in the socklen_t pointed to by arg `lenPtr` (accept, getsockname, recvfrom).
    case sockaddrOut(arg: Int, lenPtr: Int)
    /// struct timespec at arg (nanosleep: arg 0; clock_nanosleep: arg 2).
    case timespec(arg: Int)
    /// struct rlimit at arg (prlimit64: new limit arg 2 at entry, old limit arg 3 at exit).
    case rlimit(arg: Int)
    /// struct sigaction (kernel layout) at arg.
    case sigaction(arg: Int)
    /// struct itimerval at arg.
    case itimerval(arg: Int)
    /// sigset at arg (rt_sigprocmask set/oldset).
    case sigset(arg: Int)
    /// STRUCT_ARRAY of pollfd at arg, count in arg `count` (at exit, with revents).
    case pollfds(arg: Int, count: Int)
    /// STRUCT_ARRAY of epoll_event at arg, count = return value.
    case epollEvents(arg: Int)
}

public struct SyscallDesc: Sendable {
    public let name: String
    /// The syscall's real argument count on its ABI.
    public let nargs: Int
    public let classes: SyscallClasses
    /// One per argument (count == nargs); missing entries mean `.hex`.
    public let args: [ArgKind]
    public let io: IOCapture
    public let structs: [StructCapture]
    /// Indexes of the path arguments, in order: each gives a NAMI record. Kept, not
    /// computed: the tracer reads it at every syscall entry.
    public let pathArgs: [Int]

    public init(name: String, nargs: Int, classes: SyscallClasses = [], args: [ArgKind] = [],
                io: IOCapture = .none, structs: [StructCapture] = []) {
        self.name = name
        self.nargs = nargs
        self.classes = classes
        self.args = args
        self.io = io
        self.structs = structs
        pathArgs = args.indices.filter { args[$0] == .path }
    }

    public func kind(_ i: Int) -> ArgKind { i < args.count ? args[i] : .hex }
}
