// Linux x86 constant tables, in the spirit of strace's xlat/*.in and FreeBSD's
// libsysdecode tables_linux.h. Mask tables list multi-bit names before the bits
// they contain (O_SYNC before O_DSYNC, S_IRWXU before S_IRUSR), because masks are
// printed in table order and each matched name consumes its bits.
// Values checked against the glibc/kernel headers by Scripts/check-xlat.

public enum LinuxXlat {
    // MARK: Files

    /// open(2) flags other than the access mode (O_RDONLY/O_WRONLY/O_RDWR, printed first).
    public static let openFlags = Xlat([
        (0o100, "O_CREAT"), (0o200, "O_EXCL"), (0o400, "O_NOCTTY"), (0o1000, "O_TRUNC"), (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"), (0o4010000, "O_SYNC"), (0o10000, "O_DSYNC"), (0o20000, "O_ASYNC"),
        (0o40000, "O_DIRECT"), (0o100000, "O_LARGEFILE"), (0o20200000, "O_TMPFILE"), (0o200000, "O_DIRECTORY"),
        (0o400000, "O_NOFOLLOW"), (0o1000000, "O_NOATIME"), (0o2000000, "O_CLOEXEC"), (0o10000000, "O_PATH"),
    ])
    public static let openAccessModes = Xlat([(0, "O_RDONLY"), (1, "O_WRONLY"), (2, "O_RDWR")])
    public static let oCreat: Int64 = 0o100
    public static let oTmpfileBit: Int64 = 0o20000000

    /// Permission and file-type bits, FreeBSD's filemode table order with Linux names.
    public static let fileMode = Xlat([
        (0o4000, "S_ISUID"), (0o2000, "S_ISGID"), (0o1000, "S_ISVTX"),
        (0o700, "S_IRWXU"), (0o400, "S_IRUSR"), (0o200, "S_IWUSR"), (0o100, "S_IXUSR"),
        (0o70, "S_IRWXG"), (0o40, "S_IRGRP"), (0o20, "S_IWGRP"), (0o10, "S_IXGRP"),
        (0o7, "S_IRWXO"), (0o4, "S_IROTH"), (0o2, "S_IWOTH"), (0o1, "S_IXOTH"),
        (0o10000, "S_IFIFO"), (0o20000, "S_IFCHR"), (0o40000, "S_IFDIR"), (0o60000, "S_IFBLK"),
        (0o100000, "S_IFREG"), (0o120000, "S_IFLNK"), (0o140000, "S_IFSOCK"),
    ])
    /// File types (st_mode & S_IFMT), for struct stat printing.
    public static let fileTypes = Xlat([
        (0o10000, "S_IFIFO"), (0o20000, "S_IFCHR"), (0o40000, "S_IFDIR"), (0o60000, "S_IFBLK"),
        (0o100000, "S_IFREG"), (0o120000, "S_IFLNK"), (0o140000, "S_IFSOCK"),
    ])
    public static let sIFMT: Int64 = 0o170000

    public static let accessModes = Xlat([(0, "F_OK"), (1, "X_OK"), (2, "W_OK"), (4, "R_OK")])
    public static let atFDCWD: Int64 = -100
    public static let atFDs = Xlat([(-100, "AT_FDCWD")])
    public static let atFlags = Xlat([
        (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_EACCESS"), (0x400, "AT_SYMLINK_FOLLOW"),
        (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH"), (0x2000, "AT_STATX_FORCE_SYNC"),
        (0x4000, "AT_STATX_DONT_SYNC"), (0x8000, "AT_RECURSIVE"),
    ])
    public static let unlinkatFlags = Xlat([(0x200, "AT_REMOVEDIR")])
    public static let renameFlags = Xlat([(1, "RENAME_NOREPLACE"), (2, "RENAME_EXCHANGE"), (4, "RENAME_WHITEOUT")])
    public static let statxMask = Xlat([
        (0xfff, "STATX_ALL"), (0x7ff, "STATX_BASIC_STATS"),
        (0x1, "STATX_TYPE"), (0x2, "STATX_MODE"), (0x4, "STATX_NLINK"), (0x8, "STATX_UID"), (0x10, "STATX_GID"),
        (0x20, "STATX_ATIME"), (0x40, "STATX_MTIME"), (0x80, "STATX_CTIME"), (0x100, "STATX_INO"),
        (0x200, "STATX_SIZE"), (0x400, "STATX_BLOCKS"), (0x800, "STATX_BTIME"), (0x1000, "STATX_MNT_ID"),
        (0x2000, "STATX_DIOALIGN"), (0x4000, "STATX_MNT_ID_UNIQUE"), (0x8000, "STATX_SUBVOL"),
        (0x10000, "STATX_WRITE_ATOMIC"), (0x20000, "STATX_DIO_READ_ALIGN"),
    ])
    public static let lseekWhence = Xlat([
        (0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END"), (3, "SEEK_DATA"), (4, "SEEK_HOLE"),
    ])
    public static let flockOps = Xlat([(1, "LOCK_SH"), (2, "LOCK_EX"), (4, "LOCK_NB"), (8, "LOCK_UN")])
    public static let fadvice = Xlat([
        (0, "POSIX_FADV_NORMAL"), (1, "POSIX_FADV_RANDOM"), (2, "POSIX_FADV_SEQUENTIAL"),
        (3, "POSIX_FADV_WILLNEED"), (4, "POSIX_FADV_DONTNEED"), (5, "POSIX_FADV_NOREUSE"),
    ])
    public static let dup3Flags = Xlat([(0o2000000, "O_CLOEXEC")])
    public static let pipe2Flags = Xlat([(0o2000000, "O_CLOEXEC"), (0o4000, "O_NONBLOCK"), (0o40000, "O_DIRECT"), (0o200, "O_NOTIFICATION_PIPE")])
    public static let eventfdFlags = Xlat([(1, "EFD_SEMAPHORE"), (0o2000000, "EFD_CLOEXEC"), (0o4000, "EFD_NONBLOCK")])
    public static let timerfdFlags = Xlat([(0o2000000, "TFD_CLOEXEC"), (0o4000, "TFD_NONBLOCK")])
    public static let signalfdFlags = Xlat([(0o2000000, "SFD_CLOEXEC"), (0o4000, "SFD_NONBLOCK")])
    public static let inotifyInitFlags = Xlat([(0o2000000, "IN_CLOEXEC"), (0o4000, "IN_NONBLOCK")])
    public static let epollFlags = Xlat([(0o2000000, "EPOLL_CLOEXEC")])
    public static let closeRangeFlags = Xlat([(2, "CLOSE_RANGE_UNSHARE"), (4, "CLOSE_RANGE_CLOEXEC")])
    public static let memfdFlags = Xlat([
        (1, "MFD_CLOEXEC"), (2, "MFD_ALLOW_SEALING"), (4, "MFD_HUGETLB"), (8, "MFD_NOEXEC_SEAL"), (0x10, "MFD_EXEC"),
    ])
    public static let inotifyMask = Xlat([
        (0x1, "IN_ACCESS"), (0x2, "IN_MODIFY"), (0x4, "IN_ATTRIB"), (0x8, "IN_CLOSE_WRITE"),
        (0x10, "IN_CLOSE_NOWRITE"), (0x20, "IN_OPEN"), (0x40, "IN_MOVED_FROM"), (0x80, "IN_MOVED_TO"),
        (0x100, "IN_CREATE"), (0x200, "IN_DELETE"), (0x400, "IN_DELETE_SELF"), (0x800, "IN_MOVE_SELF"),
        (0x2000, "IN_UNMOUNT"), (0x4000, "IN_Q_OVERFLOW"), (0x8000, "IN_IGNORED"),
        (0x1000000, "IN_ONLYDIR"), (0x2000000, "IN_DONT_FOLLOW"), (0x4000000, "IN_EXCL_UNLINK"),
        (0x10000000, "IN_MASK_CREATE"), (0x20000000, "IN_MASK_ADD"), (0x40000000, "IN_ISDIR"),
        (0x80000000, "IN_ONESHOT"),
    ])

    // MARK: fcntl

    public static let fcntlCommands = Xlat([
        (0, "F_DUPFD"), (1, "F_GETFD"), (2, "F_SETFD"), (3, "F_GETFL"), (4, "F_SETFL"), (5, "F_GETLK"),
        (6, "F_SETLK"), (7, "F_SETLKW"), (8, "F_SETOWN"), (9, "F_GETOWN"), (10, "F_SETSIG"), (11, "F_GETSIG"),
        (12, "F_GETLK64"), (13, "F_SETLK64"), (14, "F_SETLKW64"), (15, "F_SETOWN_EX"), (16, "F_GETOWN_EX"),
        (17, "F_GETOWNER_UIDS"), (36, "F_OFD_GETLK"), (37, "F_OFD_SETLK"), (38, "F_OFD_SETLKW"),
        (1024, "F_SETLEASE"), (1025, "F_GETLEASE"), (1026, "F_NOTIFY"), (1027, "F_DUPFD_QUERY"),
        (1028, "F_CREATED_QUERY"), (1029, "F_CANCELLK"), (1030, "F_DUPFD_CLOEXEC"), (1031, "F_SETPIPE_SZ"),
        (1032, "F_GETPIPE_SZ"), (1033, "F_ADD_SEALS"), (1034, "F_GET_SEALS"), (1035, "F_GET_RW_HINT"),
        (1036, "F_SET_RW_HINT"), (1037, "F_GET_FILE_RW_HINT"), (1038, "F_SET_FILE_RW_HINT"),
    ])
    public static let fdFlags = Xlat([(1, "FD_CLOEXEC"), (0, "0")])

    // MARK: Memory

    public static let mmapProt = Xlat([
        (0, "PROT_NONE"), (1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC"), (8, "PROT_SEM"),
        (0x1000000, "PROT_GROWSDOWN"), (0x2000000, "PROT_GROWSUP"),
    ])
    public static let mmapFlags = Xlat([
        (3, "MAP_SHARED_VALIDATE"), (1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (0x10, "MAP_FIXED"),
        (0x20, "MAP_ANONYMOUS"), (0x40, "MAP_32BIT"), (0x100, "MAP_GROWSDOWN"), (0x800, "MAP_DENYWRITE"),
        (0x1000, "MAP_EXECUTABLE"), (0x2000, "MAP_LOCKED"), (0x4000, "MAP_NORESERVE"), (0x8000, "MAP_POPULATE"),
        (0x10000, "MAP_NONBLOCK"), (0x20000, "MAP_STACK"), (0x40000, "MAP_HUGETLB"), (0x80000, "MAP_SYNC"),
        (0x100000, "MAP_FIXED_NOREPLACE"), (0x4000000, "MAP_UNINITIALIZED"),
    ])
    public static let madvise = Xlat([
        (0, "MADV_NORMAL"), (1, "MADV_RANDOM"), (2, "MADV_SEQUENTIAL"), (3, "MADV_WILLNEED"), (4, "MADV_DONTNEED"),
        (8, "MADV_FREE"), (9, "MADV_REMOVE"), (10, "MADV_DONTFORK"), (11, "MADV_DOFORK"), (12, "MADV_MERGEABLE"),
        (13, "MADV_UNMERGEABLE"), (14, "MADV_HUGEPAGE"), (15, "MADV_NOHUGEPAGE"), (16, "MADV_DONTDUMP"),
        (17, "MADV_DODUMP"), (18, "MADV_WIPEONFORK"), (19, "MADV_KEEPONFORK"), (20, "MADV_COLD"),
        (21, "MADV_PAGEOUT"), (22, "MADV_POPULATE_READ"), (23, "MADV_POPULATE_WRITE"),
        (24, "MADV_DONTNEED_LOCKED"), (25, "MADV_COLLAPSE"), (100, "MADV_HWPOISON"), (101, "MADV_SOFT_OFFLINE"),
        (102, "MADV_GUARD_INSTALL"), (103, "MADV_GUARD_REMOVE"),
    ])
    public static let mremapFlags = Xlat([(1, "MREMAP_MAYMOVE"), (2, "MREMAP_FIXED"), (4, "MREMAP_DONTUNMAP")])
    public static let msyncFlags = Xlat([(1, "MS_ASYNC"), (2, "MS_INVALIDATE"), (4, "MS_SYNC")])
    public static let mlockallFlags = Xlat([(1, "MCL_CURRENT"), (2, "MCL_FUTURE"), (4, "MCL_ONFAULT")])

    // MARK: Processes

    /// clone(2) flags; the low byte is the exit signal, printed apart.
    public static let cloneFlags = Xlat([
        (0x100, "CLONE_VM"), (0x200, "CLONE_FS"), (0x400, "CLONE_FILES"), (0x800, "CLONE_SIGHAND"),
        (0x1000, "CLONE_PIDFD"), (0x2000, "CLONE_PTRACE"), (0x4000, "CLONE_VFORK"), (0x8000, "CLONE_PARENT"),
        (0x10000, "CLONE_THREAD"), (0x20000, "CLONE_NEWNS"), (0x40000, "CLONE_SYSVSEM"), (0x80000, "CLONE_SETTLS"),
        (0x100000, "CLONE_PARENT_SETTID"), (0x200000, "CLONE_CHILD_CLEARTID"), (0x400000, "CLONE_DETACHED"),
        (0x800000, "CLONE_UNTRACED"), (0x1000000, "CLONE_CHILD_SETTID"), (0x2000000, "CLONE_NEWCGROUP"),
        (0x4000000, "CLONE_NEWUTS"), (0x8000000, "CLONE_NEWIPC"), (0x10000000, "CLONE_NEWUSER"),
        (0x20000000, "CLONE_NEWPID"), (0x40000000, "CLONE_NEWNET"), (0x80000000, "CLONE_IO"),
    ])
    public static let cloneSignalMask: Int64 = 0xff
    public static let waitOptions = Xlat([
        (1, "WNOHANG"), (2, "WUNTRACED"), (4, "WEXITED"), (8, "WCONTINUED"), (0x1000000, "WNOWAIT"),
        (0x20000000, "__WNOTHREAD"), (0x40000000, "__WALL"), (0x80000000, "__WCLONE"),
    ])
    public static let idtypes = Xlat([(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")])
    public static let sigprocmaskHow = Xlat([(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")])
    /// struct sigaction sa_flags.
    public static let sigactionFlags = Xlat([
        (1, "SA_NOCLDSTOP"), (2, "SA_NOCLDWAIT"), (4, "SA_SIGINFO"), (0x400, "SA_UNSUPPORTED"),
        (0x800, "SA_EXPOSE_TAGBITS"), (0x4000000, "SA_RESTORER"), (0x8000000, "SA_ONSTACK"),
        (0x10000000, "SA_RESTART"), (0x40000000, "SA_NODEFER"), (0x80000000, "SA_RESETHAND"),
    ])
    /// sa_handler special values.
    public static let sigHandlers = Xlat([(0, "SIG_DFL"), (1, "SIG_IGN")])
    public static let rlimitResources = Xlat([
        (0, "RLIMIT_CPU"), (1, "RLIMIT_FSIZE"), (2, "RLIMIT_DATA"), (3, "RLIMIT_STACK"), (4, "RLIMIT_CORE"),
        (5, "RLIMIT_RSS"), (6, "RLIMIT_NPROC"), (7, "RLIMIT_NOFILE"), (8, "RLIMIT_MEMLOCK"), (9, "RLIMIT_AS"),
        (10, "RLIMIT_LOCKS"), (11, "RLIMIT_SIGPENDING"), (12, "RLIMIT_MSGQUEUE"), (13, "RLIMIT_NICE"),
        (14, "RLIMIT_RTPRIO"), (15, "RLIMIT_RTTIME"),
    ])
    public static let rusageWho = Xlat([(0, "RUSAGE_SELF"), (-1, "RUSAGE_CHILDREN"), (1, "RUSAGE_THREAD")])
    public static let prioWhich = Xlat([(0, "PRIO_PROCESS"), (1, "PRIO_PGRP"), (2, "PRIO_USER")])
    public static let schedPolicies = Xlat([
        (0, "SCHED_OTHER"), (1, "SCHED_FIFO"), (2, "SCHED_RR"), (3, "SCHED_BATCH"), (5, "SCHED_IDLE"),
        (6, "SCHED_DEADLINE"), (7, "SCHED_EXT"),
    ])
    public static let archPrctlCodes = Xlat([
        (0x1001, "ARCH_SET_GS"), (0x1002, "ARCH_SET_FS"), (0x1003, "ARCH_GET_FS"), (0x1004, "ARCH_GET_GS"),
        (0x1011, "ARCH_GET_CPUID"), (0x1012, "ARCH_SET_CPUID"), (0x1021, "ARCH_GET_XCOMP_SUPP"),
        (0x1022, "ARCH_GET_XCOMP_PERM"), (0x1023, "ARCH_REQ_XCOMP_PERM"), (0x1024, "ARCH_GET_XCOMP_GUEST_PERM"),
        (0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"), (0x1026, "ARCH_XCOMP_TILECFG"), (0x1027, "ARCH_XCOMP_TILEDATA"),
        (0x2001, "ARCH_MAP_VDSO_X32"), (0x2002, "ARCH_MAP_VDSO_32"), (0x2003, "ARCH_MAP_VDSO_64"),
        (0x4001, "ARCH_GET_UNTAG_MASK"), (0x4002, "ARCH_ENABLE_TAGGED_ADDR"), (0x4003, "ARCH_GET_MAX_TAG_BITS"),
        (0x4004, "ARCH_FORCE_TAGGED_SVA"), (0x5001, "ARCH_SHSTK_ENABLE"), (0x5002, "ARCH_SHSTK_DISABLE"),
        (0x5003, "ARCH_SHSTK_LOCK"), (0x5004, "ARCH_SHSTK_UNLOCK"), (0x5005, "ARCH_SHSTK_STATUS"),
    ])
    public static let prctlOptions = Xlat([
        (1, "PR_SET_PDEATHSIG"), (2, "PR_GET_PDEATHSIG"), (3, "PR_GET_DUMPABLE"), (4, "PR_SET_DUMPABLE"),
        (5, "PR_GET_UNALIGN"), (6, "PR_SET_UNALIGN"), (7, "PR_GET_KEEPCAPS"), (8, "PR_SET_KEEPCAPS"),
        (9, "PR_GET_FPEMU"), (10, "PR_SET_FPEMU"), (11, "PR_GET_FPEXC"), (12, "PR_SET_FPEXC"),
        (13, "PR_GET_TIMING"), (14, "PR_SET_TIMING"), (15, "PR_SET_NAME"), (16, "PR_GET_NAME"),
        (19, "PR_GET_ENDIAN"), (20, "PR_SET_ENDIAN"), (21, "PR_GET_SECCOMP"), (22, "PR_SET_SECCOMP"),
        (23, "PR_CAPBSET_READ"), (24, "PR_CAPBSET_DROP"), (25, "PR_GET_TSC"), (26, "PR_SET_TSC"),
        (27, "PR_GET_SECUREBITS"), (28, "PR_SET_SECUREBITS"), (29, "PR_SET_TIMERSLACK"),
        (30, "PR_GET_TIMERSLACK"), (31, "PR_TASK_PERF_EVENTS_DISABLE"), (32, "PR_TASK_PERF_EVENTS_ENABLE"),
        (33, "PR_MCE_KILL"), (34, "PR_MCE_KILL_GET"), (35, "PR_SET_MM"), (36, "PR_SET_CHILD_SUBREAPER"),
        (37, "PR_GET_CHILD_SUBREAPER"), (38, "PR_SET_NO_NEW_PRIVS"), (39, "PR_GET_NO_NEW_PRIVS"),
        (40, "PR_GET_TID_ADDRESS"), (41, "PR_SET_THP_DISABLE"), (42, "PR_GET_THP_DISABLE"),
        (43, "PR_MPX_ENABLE_MANAGEMENT"), (44, "PR_MPX_DISABLE_MANAGEMENT"), (45, "PR_SET_FP_MODE"),
        (46, "PR_GET_FP_MODE"), (47, "PR_CAP_AMBIENT"), (50, "PR_SVE_SET_VL"), (51, "PR_SVE_GET_VL"),
        (52, "PR_GET_SPECULATION_CTRL"), (53, "PR_SET_SPECULATION_CTRL"), (54, "PR_PAC_RESET_KEYS"),
        (55, "PR_SET_TAGGED_ADDR_CTRL"), (56, "PR_GET_TAGGED_ADDR_CTRL"), (57, "PR_SET_IO_FLUSHER"),
        (58, "PR_GET_IO_FLUSHER"), (59, "PR_SET_SYSCALL_USER_DISPATCH"), (60, "PR_PAC_SET_ENABLED_KEYS"),
        (61, "PR_PAC_GET_ENABLED_KEYS"), (62, "PR_SCHED_CORE"), (63, "PR_SME_SET_VL"), (64, "PR_SME_GET_VL"),
        (65, "PR_SET_MDWE"), (66, "PR_GET_MDWE"), (67, "PR_SET_MEMORY_MERGE"), (68, "PR_GET_MEMORY_MERGE"),
        (74, "PR_GET_SHADOW_STACK_STATUS"), (75, "PR_SET_SHADOW_STACK_STATUS"),
        (76, "PR_LOCK_SHADOW_STACK_STATUS"), (0x53564d41, "PR_SET_VMA"),
    ])
    public static let ptraceRequests = Xlat([
        (0, "PTRACE_TRACEME"), (1, "PTRACE_PEEKTEXT"), (2, "PTRACE_PEEKDATA"), (3, "PTRACE_PEEKUSER"),
        (4, "PTRACE_POKETEXT"), (5, "PTRACE_POKEDATA"), (6, "PTRACE_POKEUSER"), (7, "PTRACE_CONT"),
        (8, "PTRACE_KILL"), (9, "PTRACE_SINGLESTEP"), (12, "PTRACE_GETREGS"), (13, "PTRACE_SETREGS"),
        (14, "PTRACE_GETFPREGS"), (15, "PTRACE_SETFPREGS"), (16, "PTRACE_ATTACH"), (17, "PTRACE_DETACH"),
        (18, "PTRACE_GETFPXREGS"), (19, "PTRACE_SETFPXREGS"), (24, "PTRACE_SYSCALL"),
        (25, "PTRACE_GET_THREAD_AREA"), (26, "PTRACE_SET_THREAD_AREA"), (30, "PTRACE_ARCH_PRCTL"),
        (31, "PTRACE_SYSEMU"), (32, "PTRACE_SYSEMU_SINGLESTEP"), (33, "PTRACE_SINGLEBLOCK"),
        (0x4200, "PTRACE_SETOPTIONS"), (0x4201, "PTRACE_GETEVENTMSG"), (0x4202, "PTRACE_GETSIGINFO"),
        (0x4203, "PTRACE_SETSIGINFO"), (0x4204, "PTRACE_GETREGSET"), (0x4205, "PTRACE_SETREGSET"),
        (0x4206, "PTRACE_SEIZE"), (0x4207, "PTRACE_INTERRUPT"), (0x4208, "PTRACE_LISTEN"),
        (0x4209, "PTRACE_PEEKSIGINFO"), (0x420a, "PTRACE_GETSIGMASK"), (0x420b, "PTRACE_SETSIGMASK"),
        (0x420c, "PTRACE_SECCOMP_GET_FILTER"), (0x420d, "PTRACE_SECCOMP_GET_METADATA"),
        (0x420e, "PTRACE_GET_SYSCALL_INFO"), (0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"),
        (0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"), (0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"),
    ])
    /// futex(2) commands (op & FUTEX_CMD_MASK); the private and clock flags are printed apart.
    public static let futexCommands = Xlat([
        (0, "FUTEX_WAIT"), (1, "FUTEX_WAKE"), (2, "FUTEX_FD"), (3, "FUTEX_REQUEUE"), (4, "FUTEX_CMP_REQUEUE"),
        (5, "FUTEX_WAKE_OP"), (6, "FUTEX_LOCK_PI"), (7, "FUTEX_UNLOCK_PI"), (8, "FUTEX_TRYLOCK_PI"),
        (9, "FUTEX_WAIT_BITSET"), (10, "FUTEX_WAKE_BITSET"), (11, "FUTEX_WAIT_REQUEUE_PI"),
        (12, "FUTEX_CMP_REQUEUE_PI"), (13, "FUTEX_LOCK_PI2"),
    ])
    public static let futexPrivateFlag: Int64 = 128
    public static let futexClockRealtime: Int64 = 256
    public static let getrandomFlags = Xlat([(1, "GRND_NONBLOCK"), (2, "GRND_RANDOM"), (4, "GRND_INSECURE")])

    // MARK: Signals

    public static let signals = Xlat((1...Int64(linuxSigRtMax)).map { ($0, signalNames[Int($0) - 1]) })

    // MARK: Time

    public static let clockIds = Xlat([
        (0, "CLOCK_REALTIME"), (1, "CLOCK_MONOTONIC"), (2, "CLOCK_PROCESS_CPUTIME_ID"),
        (3, "CLOCK_THREAD_CPUTIME_ID"), (4, "CLOCK_MONOTONIC_RAW"), (5, "CLOCK_REALTIME_COARSE"),
        (6, "CLOCK_MONOTONIC_COARSE"), (7, "CLOCK_BOOTTIME"), (8, "CLOCK_REALTIME_ALARM"),
        (9, "CLOCK_BOOTTIME_ALARM"), (11, "CLOCK_TAI"),
    ])
    /// CPU-time clocks of another process or thread (negative clock ids).
    public static let cpuClockIds = Xlat([(0, "CPUCLOCK_PROF"), (1, "CPUCLOCK_VIRT"), (2, "CPUCLOCK_SCHED")])
    public static let timerFlags = Xlat([(1, "TIMER_ABSTIME")])
    public static let itimerWhich = Xlat([(0, "ITIMER_REAL"), (1, "ITIMER_VIRTUAL"), (2, "ITIMER_PROF")])

    // MARK: Polling

    public static let pollEvents = Xlat([
        (0x1, "POLLIN"), (0x2, "POLLPRI"), (0x4, "POLLOUT"), (0x8, "POLLERR"), (0x10, "POLLHUP"),
        (0x20, "POLLNVAL"), (0x40, "POLLRDNORM"), (0x80, "POLLRDBAND"), (0x100, "POLLWRNORM"),
        (0x200, "POLLWRBAND"), (0x400, "POLLMSG"), (0x2000, "POLLRDHUP"),
    ])
    public static let epollEvents = Xlat([
        (0x1, "EPOLLIN"), (0x2, "EPOLLPRI"), (0x4, "EPOLLOUT"), (0x8, "EPOLLERR"), (0x10, "EPOLLHUP"),
        (0x20, "EPOLLNVAL"), (0x40, "EPOLLRDNORM"), (0x80, "EPOLLRDBAND"), (0x100, "EPOLLWRNORM"),
        (0x200, "EPOLLWRBAND"), (0x400, "EPOLLMSG"), (0x2000, "EPOLLRDHUP"),
        (0x10000000, "EPOLLEXCLUSIVE"), (0x20000000, "EPOLLWAKEUP"), (0x40000000, "EPOLLONESHOT"),
        (0x80000000, "EPOLLET"),
    ])
    public static let epollCtlOps = Xlat([(1, "EPOLL_CTL_ADD"), (2, "EPOLL_CTL_DEL"), (3, "EPOLL_CTL_MOD")])

    // MARK: Sockets

    /// socket(2) domains, named PF_* as FreeBSD's kdump does.
    public static let socketDomains = Xlat([
        (0, "PF_UNSPEC"), (1, "PF_LOCAL"), (2, "PF_INET"), (3, "PF_AX25"), (4, "PF_IPX"), (5, "PF_APPLETALK"),
        (6, "PF_NETROM"), (7, "PF_BRIDGE"), (8, "PF_ATMPVC"), (9, "PF_X25"), (10, "PF_INET6"), (11, "PF_ROSE"),
        (12, "PF_DECnet"), (13, "PF_NETBEUI"), (14, "PF_SECURITY"), (15, "PF_KEY"), (16, "PF_NETLINK"),
        (17, "PF_PACKET"), (18, "PF_ASH"), (19, "PF_ECONET"), (20, "PF_ATMSVC"), (21, "PF_RDS"), (22, "PF_SNA"),
        (23, "PF_IRDA"), (24, "PF_PPPOX"), (25, "PF_WANPIPE"), (26, "PF_LLC"), (27, "PF_IB"), (28, "PF_MPLS"),
        (29, "PF_CAN"), (30, "PF_TIPC"), (31, "PF_BLUETOOTH"), (32, "PF_IUCV"), (33, "PF_RXRPC"),
        (34, "PF_ISDN"), (35, "PF_PHONET"), (36, "PF_IEEE802154"), (37, "PF_CAIF"), (38, "PF_ALG"),
        (39, "PF_NFC"), (40, "PF_VSOCK"), (41, "PF_KCM"), (42, "PF_QIPCRTR"), (43, "PF_SMC"), (44, "PF_XDP"),
        (45, "PF_MCTP"),
    ])
    /// sockaddr families (sa_family), named AF_* for struct printing.
    public static let addressFamilies = Xlat([
        (0, "AF_UNSPEC"), (1, "AF_UNIX"), (2, "AF_INET"), (3, "AF_AX25"), (4, "AF_IPX"), (5, "AF_APPLETALK"),
        (6, "AF_NETROM"), (7, "AF_BRIDGE"), (8, "AF_ATMPVC"), (9, "AF_X25"), (10, "AF_INET6"), (11, "AF_ROSE"),
        (12, "AF_DECnet"), (13, "AF_NETBEUI"), (14, "AF_SECURITY"), (15, "AF_KEY"), (16, "AF_NETLINK"),
        (17, "AF_PACKET"), (18, "AF_ASH"), (19, "AF_ECONET"), (20, "AF_ATMSVC"), (21, "AF_RDS"), (22, "AF_SNA"),
        (23, "AF_IRDA"), (24, "AF_PPPOX"), (25, "AF_WANPIPE"), (26, "AF_LLC"), (27, "AF_IB"), (28, "AF_MPLS"),
        (29, "AF_CAN"), (30, "AF_TIPC"), (31, "AF_BLUETOOTH"), (32, "AF_IUCV"), (33, "AF_RXRPC"),
        (34, "AF_ISDN"), (35, "AF_PHONET"), (36, "AF_IEEE802154"), (37, "AF_CAIF"), (38, "AF_ALG"),
        (39, "AF_NFC"), (40, "AF_VSOCK"), (41, "AF_KCM"), (42, "AF_QIPCRTR"), (43, "AF_SMC"), (44, "AF_XDP"),
        (45, "AF_MCTP"),
    ])
    public static let pfInet: Int64 = 2, pfInet6: Int64 = 10
    public static let socketTypes = Xlat([
        (1, "SOCK_STREAM"), (2, "SOCK_DGRAM"), (3, "SOCK_RAW"), (4, "SOCK_RDM"), (5, "SOCK_SEQPACKET"),
        (6, "SOCK_DCCP"), (10, "SOCK_PACKET"),
    ])
    public static let socketTypeMask: Int64 = 0xf
    public static let socketFlags = Xlat([(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")])
    public static let ipProtocols = Xlat([
        (0, "IPPROTO_IP"), (1, "IPPROTO_ICMP"), (2, "IPPROTO_IGMP"), (4, "IPPROTO_IPIP"), (6, "IPPROTO_TCP"),
        (8, "IPPROTO_EGP"), (12, "IPPROTO_PUP"), (17, "IPPROTO_UDP"), (22, "IPPROTO_IDP"), (29, "IPPROTO_TP"),
        (33, "IPPROTO_DCCP"), (41, "IPPROTO_IPV6"), (46, "IPPROTO_RSVP"), (47, "IPPROTO_GRE"),
        (50, "IPPROTO_ESP"), (51, "IPPROTO_AH"), (58, "IPPROTO_ICMPV6"), (92, "IPPROTO_MTP"),
        (94, "IPPROTO_BEETPH"), (98, "IPPROTO_ENCAP"), (103, "IPPROTO_PIM"), (108, "IPPROTO_COMP"),
        (115, "IPPROTO_L2TP"), (132, "IPPROTO_SCTP"), (136, "IPPROTO_UDPLITE"), (137, "IPPROTO_MPLS"),
        (143, "IPPROTO_ETHERNET"), (255, "IPPROTO_RAW"), (262, "IPPROTO_MPTCP"),
    ])
    public static let solSocket: Int64 = 1
    /// Socket option levels other than SOL_SOCKET and the IP protocols.
    public static let socketLevels = Xlat([
        (1, "SOL_SOCKET"), (255, "SOL_RAW"), (263, "SOL_PACKET"), (270, "SOL_NETLINK"), (274, "SOL_BLUETOOTH"),
        (279, "SOL_ALG"), (282, "SOL_TLS"), (283, "SOL_XDP"), (284, "SOL_MPTCP"),
    ])
    public static let socketOptions = Xlat([
        (1, "SO_DEBUG"), (2, "SO_REUSEADDR"), (3, "SO_TYPE"), (4, "SO_ERROR"), (5, "SO_DONTROUTE"),
        (6, "SO_BROADCAST"), (7, "SO_SNDBUF"), (8, "SO_RCVBUF"), (9, "SO_KEEPALIVE"), (10, "SO_OOBINLINE"),
        (11, "SO_NO_CHECK"), (12, "SO_PRIORITY"), (13, "SO_LINGER"), (14, "SO_BSDCOMPAT"), (15, "SO_REUSEPORT"),
        (16, "SO_PASSCRED"), (17, "SO_PEERCRED"), (18, "SO_RCVLOWAT"), (19, "SO_SNDLOWAT"),
        (20, "SO_RCVTIMEO_OLD"), (21, "SO_SNDTIMEO_OLD"), (25, "SO_BINDTODEVICE"), (26, "SO_ATTACH_FILTER"),
        (27, "SO_DETACH_FILTER"), (28, "SO_PEERNAME"), (29, "SO_TIMESTAMP_OLD"), (30, "SO_ACCEPTCONN"),
        (31, "SO_PEERSEC"), (32, "SO_SNDBUFFORCE"), (33, "SO_RCVBUFFORCE"), (34, "SO_PASSSEC"),
        (35, "SO_TIMESTAMPNS_OLD"), (36, "SO_MARK"), (37, "SO_TIMESTAMPING_OLD"), (38, "SO_PROTOCOL"),
        (39, "SO_DOMAIN"), (40, "SO_RXQ_OVFL"), (41, "SO_WIFI_STATUS"), (42, "SO_PEEK_OFF"), (43, "SO_NOFCS"),
        (44, "SO_LOCK_FILTER"), (45, "SO_SELECT_ERR_QUEUE"), (46, "SO_BUSY_POLL"), (47, "SO_MAX_PACING_RATE"),
        (48, "SO_BPF_EXTENSIONS"), (49, "SO_INCOMING_CPU"), (50, "SO_ATTACH_BPF"), (51, "SO_ATTACH_REUSEPORT_CBPF"),
        (52, "SO_ATTACH_REUSEPORT_EBPF"), (53, "SO_CNX_ADVICE"), (55, "SO_MEMINFO"), (56, "SO_INCOMING_NAPI_ID"),
        (57, "SO_COOKIE"), (59, "SO_PEERGROUPS"), (60, "SO_ZEROCOPY"), (61, "SO_TXTIME"),
        (62, "SO_BINDTOIFINDEX"), (63, "SO_TIMESTAMP_NEW"), (64, "SO_TIMESTAMPNS_NEW"),
        (65, "SO_TIMESTAMPING_NEW"), (66, "SO_RCVTIMEO_NEW"), (67, "SO_SNDTIMEO_NEW"), (68, "SO_DETACH_REUSEPORT_BPF"),
        (69, "SO_PREFER_BUSY_POLL"), (70, "SO_BUSY_POLL_BUDGET"), (71, "SO_NETNS_COOKIE"), (72, "SO_BUF_LOCK"),
        (73, "SO_RESERVE_MEM"), (74, "SO_TXREHASH"), (75, "SO_RCVMARK"), (76, "SO_PASSPIDFD"), (77, "SO_PEERPIDFD"),
    ])
    public static let ipOptions = Xlat([
        (1, "IP_TOS"), (2, "IP_TTL"), (3, "IP_HDRINCL"), (4, "IP_OPTIONS"), (6, "IP_RECVOPTS"),
        (7, "IP_RETOPTS"), (8, "IP_PKTINFO"), (10, "IP_MTU_DISCOVER"), (11, "IP_RECVERR"), (12, "IP_RECVTTL"),
        (13, "IP_RECVTOS"), (14, "IP_MTU"), (15, "IP_FREEBIND"), (19, "IP_TRANSPARENT"),
        (24, "IP_BIND_ADDRESS_NO_PORT"), (32, "IP_MULTICAST_IF"), (33, "IP_MULTICAST_TTL"),
        (34, "IP_MULTICAST_LOOP"), (35, "IP_ADD_MEMBERSHIP"), (36, "IP_DROP_MEMBERSHIP"),
    ])
    public static let ipv6Options = Xlat([
        (16, "IPV6_UNICAST_HOPS"), (17, "IPV6_MULTICAST_IF"), (18, "IPV6_MULTICAST_HOPS"),
        (19, "IPV6_MULTICAST_LOOP"), (20, "IPV6_ADD_MEMBERSHIP"), (21, "IPV6_DROP_MEMBERSHIP"),
        (23, "IPV6_MTU_DISCOVER"), (24, "IPV6_MTU"), (25, "IPV6_RECVERR"), (26, "IPV6_V6ONLY"),
        (49, "IPV6_RECVPKTINFO"), (50, "IPV6_PKTINFO"), (67, "IPV6_TCLASS"),
    ])
    public static let tcpOptions = Xlat([
        (1, "TCP_NODELAY"), (2, "TCP_MAXSEG"), (3, "TCP_CORK"), (4, "TCP_KEEPIDLE"), (5, "TCP_KEEPINTVL"),
        (6, "TCP_KEEPCNT"), (7, "TCP_SYNCNT"), (8, "TCP_LINGER2"), (9, "TCP_DEFER_ACCEPT"),
        (10, "TCP_WINDOW_CLAMP"), (11, "TCP_INFO"), (12, "TCP_QUICKACK"), (13, "TCP_CONGESTION"),
        (14, "TCP_MD5SIG"), (18, "TCP_USER_TIMEOUT"), (23, "TCP_FASTOPEN"), (25, "TCP_NOTSENT_LOWAT"),
        (30, "TCP_FASTOPEN_CONNECT"), (31, "TCP_ULP"),
    ])
    public static let ipprotoIP: Int64 = 0, ipprotoTCP: Int64 = 6, ipprotoIPv6: Int64 = 41
    public static let msgFlags = Xlat([
        (0x1, "MSG_OOB"), (0x2, "MSG_PEEK"), (0x4, "MSG_DONTROUTE"), (0x8, "MSG_CTRUNC"), (0x10, "MSG_PROXY"),
        (0x20, "MSG_TRUNC"), (0x40, "MSG_DONTWAIT"), (0x80, "MSG_EOR"), (0x100, "MSG_WAITALL"),
        (0x200, "MSG_FIN"), (0x400, "MSG_SYN"), (0x800, "MSG_CONFIRM"), (0x1000, "MSG_RST"),
        (0x2000, "MSG_ERRQUEUE"), (0x4000, "MSG_NOSIGNAL"), (0x8000, "MSG_MORE"), (0x10000, "MSG_WAITFORONE"),
        (0x2000000, "MSG_SOCK_DEVMEM"), (0x4000000, "MSG_ZEROCOPY"), (0x20000000, "MSG_FASTOPEN"),
        (0x40000000, "MSG_CMSG_CLOEXEC"),
    ])
    public static let shutdownHow = Xlat([(0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR")])

    // MARK: ioctl

    /// Requests whose number is the same on x86-64 and i386 (terminal, FIO*, sockets, FICLONE).
    public static let ioctlRequests = Xlat([
        (0x5401, "TCGETS"), (0x5402, "TCSETS"), (0x5403, "TCSETSW"), (0x5404, "TCSETSF"), (0x5405, "TCGETA"),
        (0x5406, "TCSETA"), (0x5407, "TCSETAW"), (0x5408, "TCSETAF"), (0x5409, "TCSBRK"), (0x540a, "TCXONC"),
        (0x540b, "TCFLSH"), (0x540c, "TIOCEXCL"), (0x540d, "TIOCNXCL"), (0x540e, "TIOCSCTTY"),
        (0x540f, "TIOCGPGRP"), (0x5410, "TIOCSPGRP"), (0x5411, "TIOCOUTQ"), (0x5412, "TIOCSTI"),
        (0x5413, "TIOCGWINSZ"), (0x5414, "TIOCSWINSZ"), (0x5415, "TIOCMGET"), (0x5416, "TIOCMBIS"),
        (0x5417, "TIOCMBIC"), (0x5418, "TIOCMSET"), (0x5419, "TIOCGSOFTCAR"), (0x541a, "TIOCSSOFTCAR"),
        (0x541b, "FIONREAD"), (0x541c, "TIOCLINUX"), (0x541d, "TIOCCONS"), (0x541e, "TIOCGSERIAL"),
        (0x541f, "TIOCSSERIAL"), (0x5420, "TIOCPKT"), (0x5421, "FIONBIO"), (0x5422, "TIOCNOTTY"),
        (0x5423, "TIOCSETD"), (0x5424, "TIOCGETD"), (0x5425, "TCSBRKP"), (0x5427, "TIOCSBRK"),
        (0x5428, "TIOCCBRK"), (0x5429, "TIOCGSID"), (0x802c542a, "TCGETS2"), (0x402c542b, "TCSETS2"),
        (0x402c542c, "TCSETSW2"), (0x402c542d, "TCSETSF2"), (0x80045430, "TIOCGPTN"), (0x40045431, "TIOCSPTLCK"),
        (0x80045432, "TIOCGDEV"), (0x40045436, "TIOCSIG"), (0x5437, "TIOCVHANGUP"), (0x80045438, "TIOCGPKT"),
        (0x80045439, "TIOCGPTLCK"), (0x80045440, "TIOCGEXCL"), (0x5441, "TIOCGPTPEER"),
        (0x5450, "FIONCLEX"), (0x5451, "FIOCLEX"), (0x5452, "FIOASYNC"), (0x5453, "TIOCSERCONFIG"),
        (0x5454, "TIOCSERGWILD"), (0x5455, "TIOCSERSWILD"), (0x5456, "TIOCGLCKTRMIOS"),
        (0x5457, "TIOCSLCKTRMIOS"), (0x5458, "TIOCSERGSTRUCT"), (0x5459, "TIOCSERGETLSR"),
        (0x545a, "TIOCSERGETMULTI"), (0x545b, "TIOCSERSETMULTI"), (0x545c, "TIOCMIWAIT"),
        (0x545d, "TIOCGICOUNT"), (0x5460, "FIOQSIZE"),
        (0x8901, "FIOSETOWN"), (0x8902, "SIOCSPGRP"), (0x8903, "FIOGETOWN"), (0x8904, "SIOCGPGRP"),
        (0x8905, "SIOCATMARK"), (0x8910, "SIOCGIFNAME"), (0x8912, "SIOCGIFCONF"), (0x8913, "SIOCGIFFLAGS"),
        (0x8914, "SIOCSIFFLAGS"), (0x8915, "SIOCGIFADDR"), (0x8921, "SIOCGIFMTU"), (0x8927, "SIOCGIFHWADDR"),
        (0x8933, "SIOCGIFINDEX"), (0x40049409, "FICLONE"), (0x4020940d, "FICLONERANGE"),
        (0x1, "FIBMAP"), (0x2, "FIGETBSZ"),
    ])
}
