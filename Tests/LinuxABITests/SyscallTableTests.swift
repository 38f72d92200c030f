import XCTest
@testable import LinuxABI

final class SyscallTableTests: XCTestCase {
    private func check(_ arch: LinuxArch, _ name: String, nr: Int, nargs: Int,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Syscalls.number(named: name, arch), nr, "number of \(name)", file: file, line: line)
        XCTAssertEqual(Syscalls.lookup(arch, nr)?.name, name, file: file, line: line)
        XCTAssertEqual(Syscalls.lookup(arch, nr)?.nargs, nargs, "nargs of \(name)", file: file, line: line)
    }

    func testX86_64NumbersAndArgCounts() {
        check(.x86_64, "read", nr: 0, nargs: 3)
        check(.x86_64, "openat", nr: 257, nargs: 4)
        check(.x86_64, "mmap", nr: 9, nargs: 6)
        check(.x86_64, "exit_group", nr: 231, nargs: 1)
        check(.x86_64, "getppid", nr: 110, nargs: 0)
        check(.x86_64, "clone3", nr: 435, nargs: 2)
        check(.x86_64, "rt_sigreturn", nr: 15, nargs: 0)
        check(.x86_64, "statx", nr: 332, nargs: 5)
        check(.x86_64, "set_mempolicy_home_node", nr: 450, nargs: 4)
        check(.x86_64, "fchmodat2", nr: 452, nargs: 4)
    }

    func testI386NumbersAndArgCounts() {
        check(.i386, "read", nr: 3, nargs: 3)
        check(.i386, "openat", nr: 295, nargs: 4)
        check(.i386, "mmap2", nr: 192, nargs: 6)
        check(.i386, "mmap", nr: 90, nargs: 1)
        check(.i386, "exit_group", nr: 252, nargs: 1)
        check(.i386, "getppid", nr: 64, nargs: 0)
        check(.i386, "socketcall", nr: 102, nargs: 2)
        check(.i386, "_llseek", nr: 140, nargs: 5)
        check(.i386, "pread64", nr: 180, nargs: 5)
        check(.i386, "fstatat64", nr: 300, nargs: 4)
        check(.i386, "clock_gettime64", nr: 403, nargs: 2)
    }

    func testUnknownNumbers() {
        XCTAssertNil(Syscalls.lookup(.x86_64, 335))   // unused between rseq and pidfd_send_signal
        XCTAssertNil(Syscalls.lookup(.x86_64, 512))   // x32 only
        XCTAssertNil(Syscalls.lookup(.x86_64, -1))
        XCTAssertNil(Syscalls.lookup(.x86_64, 100_000))
        XCTAssertNil(Syscalls.lookup(.i386, 222))
        XCTAssertNil(Syscalls.number(named: "no_such_call", .x86_64))
        XCTAssertNil(Syscalls.number(named: "mmap2", .x86_64))
    }

    func testClasses() {
        let openat = Syscalls.lookup(.x86_64, 257)!
        XCTAssertEqual(openat.classes, [.file, .descriptor])
        XCTAssertEqual(Syscalls.lookup(.x86_64, 4)!.classes, [.file, .stat])
        XCTAssertEqual(Syscalls.lookup(.x86_64, 110)!.classes, [.pure])
        XCTAssertEqual(Syscalls.lookup(.x86_64, 102)!.classes, [.creds, .pure])   // getuid
        XCTAssertEqual(Syscalls.lookup(.x86_64, 228)!.classes, [.clock])         // clock_gettime
        XCTAssertEqual(Syscalls.lookup(.x86_64, 41)!.classes, [.network])        // socket
    }

    func testArgumentSpecs() {
        let openat = Syscalls.lookup(.x86_64, 257)!
        XCTAssertEqual(openat.args, [.dirfd, .path, .openFlags, .fileMode])
        XCTAssertEqual(openat.pathArgs, [1])
        XCTAssertEqual(Syscalls.lookup(.x86_64, 264)!.pathArgs, [1, 3])          // renameat
        XCTAssertEqual(Syscalls.lookup(.x86_64, 266)!.pathArgs, [0, 2])          // symlinkat
        XCTAssertEqual(Syscalls.lookup(.x86_64, 0)!.io, .read(buf: 1))
        XCTAssertEqual(Syscalls.lookup(.x86_64, 20)!.io, .writev(iov: 1, count: 2))
        XCTAssertEqual(Syscalls.lookup(.x86_64, 262)!.structs, [.stat(arg: 2)])  // newfstatat
        XCTAssertEqual(Syscalls.lookup(.x86_64, 45)!.structs, [.sockaddrOut(arg: 4, lenPtr: 5)])
        XCTAssertEqual(Syscalls.lookup(.i386, 195)!.structs, [.stat(arg: 1)])    // stat64
        XCTAssertEqual(Syscalls.lookup(.i386, 90)!.args, [.hex])                 // old mmap
        XCTAssertEqual(Syscalls.lookup(.i386, 192)!.args, [.hex, .hex, .mmapProt, .mmapFlags, .hex, .hex])
        XCTAssertEqual(Syscalls.lookup(.x86_64, 62)!.args, [.decimal, .signal])  // kill
        // args never exceed the real argument count
        for arch in [LinuxArch.x86_64, .i386] {
            for case let desc? in Syscalls.table(arch) {
                XCTAssertLessThanOrEqual(desc.args.count, desc.nargs, desc.name)
            }
        }
    }
}
