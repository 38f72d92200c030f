import XCTest
import KtraceFormat
@testable import LinuxABI

final class ArgumentFormatterTests: XCTestCase {
    /// The argument list as kdump prints it for syscall `name` called with `args`.
    private func call(_ name: String, _ args: [Int64], arch: LinuxArch = .x86_64,
                      fancy: Bool = true, decimal: Bool = false) -> String {
        let nr = Syscalls.number(named: name, arch)!
        return render(Syscalls.lookup(arch, nr), nr: nr, args, fancy: fancy, decimal: decimal)
    }

    private func render(_ desc: SyscallDesc?, nr: Int, _ args: [Int64], fancy: Bool, decimal: Bool) -> String {
        var bytes = [UInt8](repeating: 0, count: SyscallPayload.size(narg: args.count))
        bytes.withUnsafeMutableBytes { p in
            args.withUnsafeBufferPointer { SyscallPayload.encode(into: p.baseAddress!, code: nr, args: $0) }
        }
        return bytes.withUnsafeBytes { raw in
            let payload = try! SyscallPayload(raw)
            let out = ByteBuffer()
            ArgumentFormatter.appendArguments(desc, args: payload, fancy: fancy, decimal: decimal, into: out)
            return out.string
        }
    }

    private func symbolic(_ kind: ArgKind, _ value: Int64, decimal: Bool = false) -> String {
        let out = ByteBuffer()
        ArgumentFormatter.appendSymbolic(kind: kind, value: value, decimal: decimal, into: out)
        return out.string
    }

    func testOpenat() {
        XCTAssertEqual(call("openat", [-100, 0x7ffd1000, 0x241, 0o644]),
                       "(AT_FDCWD,0x7ffd1000,0x241<O_WRONLY|O_CREAT|O_TRUNC>,0644<S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH>)")
        // AT_FDCWD zero-extended from 32 bits reads the same; no O_CREAT: no mode.
        XCTAssertEqual(call("openat", [0xffff_ff9c, 0x1000, 0x80000, 0]), "(AT_FDCWD,0x1000,0x80000<O_RDONLY|O_CLOEXEC>)")
        XCTAssertEqual(call("openat", [3, 0x1000, 0x10000, 0]), "(0x3,0x1000,0x10000<O_RDONLY|O_DIRECTORY>)")
        XCTAssertEqual(call("openat", [3, 4096, 0x80000, 0], decimal: true), "(3,4096,0x80000<O_RDONLY|O_CLOEXEC>)")
        XCTAssertEqual(call("open", [0x1000, 0o102, 0o755]),
                       "(0x1000,0x42<O_RDWR|O_CREAT>,0755<S_IRWXU|S_IRGRP|S_IXGRP|S_IROTH|S_IXOTH>)")
        XCTAssertEqual(call("open", [0x1000, 3, 0]), "(0x1000,0x3<><invalid>3)")
    }

    func testWithoutFancyEverythingIsANumber() {
        XCTAssertEqual(call("openat", [-100, 0x1000, 0x241, 0o644], fancy: false),
                       "(0xffffffffffffff9c,0x1000,0x241,0x1a4)")
        XCTAssertEqual(call("openat", [-100, 4096, 0x241, 0o644], fancy: false, decimal: true), "(-100,4096,577,420)")
        XCTAssertEqual(call("kill", [12, 9], fancy: false), "(0xc,0x9)")
    }

    func testUnknownSyscallPrintsNumbers() {
        XCTAssertEqual(render(Syscalls.lookup(.x86_64, 999), nr: 999, [1, 0, -1], fancy: true, decimal: false),
                       "(0x1,0,0xffffffffffffffff)")
        XCTAssertEqual(render(nil, nr: 999, [], fancy: true, decimal: false), "")
    }

    func testMemory() {
        XCTAssertEqual(call("mmap", [0, 0x2000, 3, 0x22, -1, 0]),
                       "(0,0x2000,0x3<PROT_READ|PROT_WRITE>,0x22<MAP_PRIVATE|MAP_ANONYMOUS>,0xffffffffffffffff,0)")
        XCTAssertEqual(call("mmap", [0, 0x1000, 5, 0x812, 3, 0]),
                       "(0,0x1000,0x5<PROT_READ|PROT_EXEC>,0x812<MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE>,0x3,0)")
        XCTAssertEqual(call("mprotect", [0x7f0000, 0x1000, 0]), "(0x7f0000,0x1000,0<PROT_NONE>)")
        XCTAssertEqual(call("madvise", [0x7f0000, 0x1000, 4]), "(0x7f0000,0x1000,MADV_DONTNEED)")
        XCTAssertEqual(call("mmap2", [0, 0x1000, 1, 1, 3, 0], arch: .i386),
                       "(0,0x1000,0x1<PROT_READ>,0x1<MAP_SHARED>,0x3,0)")
    }

    func testProcesses() {
        XCTAssertEqual(call("clone", [0x1200011, 0, 0, 0x7f00, 0]),
                       "(0x1200011<(SIGCHLD)CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID>,0,0,0x7f00,0)")
        XCTAssertEqual(symbolic(.cloneFlags, 0x3d0f00),
                       "0x3d0f00<CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID>")
        XCTAssertEqual(symbolic(.cloneFlags, 0x11), "0x11<(SIGCHLD)>")
        XCTAssertEqual(call("wait4", [-1, 0x7ffc, 0, 0]), "(-1,0x7ffc,0,0)")
        XCTAssertEqual(call("wait4", [0xffff_ffff, 0x7ffc, 0x4000_0001, 0]), "(-1,0x7ffc,0x40000001<WNOHANG|__WALL>,0)")
        XCTAssertEqual(call("kill", [123, 15]), "(123,SIGTERM)")
        XCTAssertEqual(call("kill", [1, 0]), "(1,SIG 0)")
        XCTAssertEqual(call("tgkill", [10, 11, 6]), "(10,11,SIGABRT)")
        XCTAssertEqual(call("rt_sigaction", [2, 0x1000, 0, 8]), "(SIGINT,0x1000,0,0x8)")
        XCTAssertEqual(call("rt_sigprocmask", [0, 0x1000, 0, 8]), "(SIG_BLOCK,0x1000,0,0x8)")
        XCTAssertEqual(call("futex", [0x1000, 128, 2, 0, 0, 0]), "(0x1000,FUTEX_WAIT_PRIVATE,0x2,0,0,0)")
        XCTAssertEqual(call("futex", [0x1000, 0x189, 0, 0x2000, 0, -1]),
                       "(0x1000,FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME,0,0x2000,0,0xffffffffffffffff)")
        XCTAssertEqual(symbolic(.futexOp, 99), "<invalid=0x63>")
        XCTAssertEqual(call("arch_prctl", [0x1002, 0x7f00]), "(ARCH_SET_FS,0x7f00)")
        XCTAssertEqual(call("prlimit64", [0, 7, 0, 0x7ffc]), "(0,RLIMIT_NOFILE,0,0x7ffc)")
        XCTAssertEqual(call("prctl", [15, 0x1000, 0, 0, 0]), "(PR_SET_NAME,0x1000,0,0,0)")
    }

    func testFiles() {
        XCTAssertEqual(call("access", [0x1000, 4]), "(0x1000,0x4<R_OK>)")
        XCTAssertEqual(call("access", [0x1000, 0]), "(0x1000,0<F_OK>)")
        XCTAssertEqual(call("access", [0x1000, 8]), "(0x1000,0x8<><invalid>8)")
        XCTAssertEqual(call("newfstatat", [-100, 0x1000, 0x2000, 0x100]),
                       "(AT_FDCWD,0x1000,0x2000,0x100<AT_SYMLINK_NOFOLLOW>)")
        XCTAssertEqual(call("newfstatat", [3, 0x1000, 0x2000, 0x1000]), "(0x3,0x1000,0x2000,0x1000<AT_EMPTY_PATH>)")
        XCTAssertEqual(call("newfstatat", [-100, 0x1000, 0x2000, 0]), "(AT_FDCWD,0x1000,0x2000,0)")
        XCTAssertEqual(call("unlinkat", [-100, 0x1000, 0x200]), "(AT_FDCWD,0x1000,0x200<AT_REMOVEDIR>)")
        XCTAssertEqual(call("lseek", [3, 0, 1]), "(0x3,0,SEEK_CUR)")
        XCTAssertEqual(call("lseek", [3, 0, 9]), "(0x3,0,<invalid=0x9>)")
        XCTAssertEqual(call("lseek", [3, 0, 9], decimal: true), "(3,0,<invalid=9>)")
        XCTAssertEqual(call("_llseek", [3, 0, 0, 0x1000, 2], arch: .i386), "(0x3,0,0,0x1000,SEEK_END)")
        XCTAssertEqual(call("mkdir", [0x1000, 0o777]), "(0x1000,0777<S_IRWXU|S_IRWXG|S_IRWXO>)")
        XCTAssertEqual(call("fchmod", [3, 0]), "(0x3,0)")
        XCTAssertEqual(call("pipe2", [0x1000, 0x80000]), "(0x1000,0x80000<O_CLOEXEC>)")
        XCTAssertEqual(call("dup3", [3, 4, 0]), "(0x3,0x4,0)")
        XCTAssertEqual(call("statx", [-100, 0x1000, 0x100, 0xfff, 0x2000]),
                       "(AT_FDCWD,0x1000,0x100<AT_SYMLINK_NOFOLLOW>,0xfff<STATX_ALL>,0x2000)")
    }

    func testFcntl() {
        XCTAssertEqual(call("fcntl", [3, 3, 0]), "(0x3,F_GETFL)")
        XCTAssertEqual(call("fcntl", [3, 1, 0]), "(0x3,F_GETFD)")
        XCTAssertEqual(call("fcntl", [3, 2, 1]), "(0x3,F_SETFD,FD_CLOEXEC)")
        XCTAssertEqual(call("fcntl", [3, 2, 0]), "(0x3,F_SETFD,0)")
        XCTAssertEqual(call("fcntl", [3, 4, 0x802]), "(0x3,F_SETFL,0x802<O_RDWR|O_NONBLOCK>)")
        XCTAssertEqual(call("fcntl", [3, 1030, 10]), "(0x3,F_DUPFD_CLOEXEC,0xa)")
        XCTAssertEqual(call("fcntl", [3, 0, 0]), "(0x3,F_DUPFD,0x0)")
        XCTAssertEqual(call("fcntl", [3, 1030, 10], decimal: true), "(3,F_DUPFD_CLOEXEC,10)")
        XCTAssertEqual(call("fcntl", [3, 7, 0x7ffc]), "(0x3,F_SETLKW,0x7ffc)")
        XCTAssertEqual(call("fcntl", [3, 77, 1]), "(0x3,<invalid=0x4d>,0x1)")
    }

    func testIoctl() {
        XCTAssertEqual(call("ioctl", [1, 0x5401, 0x7ffc]), "(0x1,TCGETS,0x7ffc)")
        XCTAssertEqual(call("ioctl", [0, 0x5413, 0x7ffc]), "(0,TIOCGWINSZ,0x7ffc)")
        XCTAssertEqual(call("ioctl", [3, 0x80045430, 0x7ffc]), "(0x3,TIOCGPTN,0x7ffc)")
        XCTAssertEqual(call("ioctl", [3, 0x1234, 0]), "(0x3,0x1234,0)")
        XCTAssertEqual(call("ioctl", [3, 0x1234, 0], decimal: true), "(3,4660,0)")
    }

    func testSockets() {
        XCTAssertEqual(call("socket", [2, 0x80001, 6]), "(PF_INET,0x80001<SOCK_STREAM|SOCK_CLOEXEC>,IPPROTO_TCP)")
        XCTAssertEqual(call("socket", [1, 1, 0]), "(PF_LOCAL,0x1<SOCK_STREAM>,0)")
        XCTAssertEqual(call("socket", [10, 0x802, 17]), "(PF_INET6,0x802<SOCK_DGRAM|SOCK_NONBLOCK>,IPPROTO_UDP)")
        XCTAssertEqual(call("socket", [99, 1, 0]), "(<invalid=0x63>,0x1<SOCK_STREAM>,0)")
        XCTAssertEqual(call("setsockopt", [3, 1, 2, 0x7ffc, 4]), "(0x3,SOL_SOCKET,SO_REUSEADDR,0x7ffc,0x4)")
        XCTAssertEqual(call("setsockopt", [3, 6, 1, 0x7ffc, 4]), "(0x3,IPPROTO_TCP,TCP_NODELAY,0x7ffc,0x4)")
        XCTAssertEqual(call("getsockopt", [3, 1, 999, 0x7ffc, 0x7ff0]), "(0x3,SOL_SOCKET,0x3e7,0x7ffc,0x7ff0)")
        XCTAssertEqual(call("sendto", [3, 0x1000, 5, 0x4000, 0, 0]), "(0x3,0x1000,0x5,0x4000<MSG_NOSIGNAL>,0,0)")
        XCTAssertEqual(call("recvmsg", [3, 0x1000, 0]), "(0x3,0x1000,0)")
        XCTAssertEqual(call("accept4", [3, 0, 0, 0x80800]), "(0x3,0,0,0x80800<SOCK_CLOEXEC|SOCK_NONBLOCK>)")
        XCTAssertEqual(call("shutdown", [3, 1]), "(0x3,SHUT_WR)")
    }

    func testClocks() {
        XCTAssertEqual(call("clock_gettime", [1, 0x7ffc]), "(CLOCK_MONOTONIC,0x7ffc)")
        XCTAssertEqual(call("clock_gettime", [99, 0x7ffc]), "(UNKNOWN(99),0x7ffc)")
        XCTAssertEqual(call("clock_gettime", [-2, 0x7ffc]), "(THREAD|CPUCLOCK_SCHED(0),0x7ffc)")
        XCTAssertEqual(call("clock_nanosleep", [0, 1, 0x7ffc, 0]), "(CLOCK_REALTIME,0x1<TIMER_ABSTIME>,0x7ffc,0)")
        XCTAssertEqual(call("clock_nanosleep", [1, 0, 0x7ffc, 0]), "(CLOCK_MONOTONIC,0,0x7ffc,0)")
    }

    func testStructHelpers() {
        XCTAssertEqual(symbolic(.pollEvents, 0x5), "0x5<POLLIN|POLLOUT>")
        XCTAssertEqual(symbolic(.signal, 64), "SIGRTMAX")
        XCTAssertEqual(symbolic(.signal, 65), "SIG 65")
        XCTAssertEqual(symbolic(.fileMode, 0o100644), "0100644<S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH|S_IFREG>")
        let out = ByteBuffer()
        LinuxXlat.sigactionFlags.appendMaskArg(0x1400_0000, into: out)
        XCTAssertEqual(out.string, "0x14000000<SA_RESTORER|SA_RESTART>")
        XCTAssertEqual(LinuxXlat.addressFamilies.string(2), "AF_INET")
        XCTAssertEqual(LinuxXlat.fileTypes.string(0o40000), "S_IFDIR")
    }
}

final class ArgumentKindCoverageTests: XCTestCase {
    /// Kinds printed by a rule of their own rather than straight from one table.
    private let specialKinds: Set<ArgKind> = [
        .hex, .decimal, .path, .dirfd, .openFlags, .fileMode, .fcntlArg, .ioctlRequest, .cloneFlags, .signal,
        .socketType, .socketProtocol, .socketLevel, .sockOptName, .futexOp, .clockId, .personality,
    ]

    func testEveryKindHasAPrinter() {
        for kind in ArgKind.allCases where !specialKinds.contains(kind) {
            XCTAssertNotNil(ArgumentFormatter.tableStyle[kind], "no table for \(kind)")
        }
    }

    func testEverySyscallArgumentKindListIsWithinNargs() {
        for (name, spec) in commonArgSpecs {
            for arch in [LinuxArch.x86_64, .i386] {
                guard let nr = Syscalls.number(named: name, arch), i386ArgSpecs[name] == nil || arch == .x86_64 else { continue }
                XCTAssertLessThanOrEqual(spec.args.count, Syscalls.lookup(arch, nr)!.nargs, "\(name) on \(arch)")
            }
        }
    }
}
