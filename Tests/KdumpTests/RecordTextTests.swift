import KtraceFormat
import XCTest

/// One test per record type and body variant, in FreeBSD kdump's text format.
final class RecordTextTests: KdumpTestCase {
    let p = KdumpTestCase.p

    func testCallAndRetOfWrite() {
        let f = linux { b in
            b.syscall(1, [1, 0x1000, 7])
            b.sysret(1, retval: 7)
        }
        assertDump(f, [], "\(p)CALL  write(0x1,0x1000,0x7)\n\(p)RET   write 7\n")
    }

    func testCallWithoutArgumentsHasNoParentheses() {
        let f = linux { b in b.syscall(39, []); b.sysret(39, retval: 4242) }
        assertDump(f, [], "\(p)CALL  getpid\n\(p)RET   getpid 4242/0x1092\n")
    }

    func testUnknownSyscallNumberPrintsInBrackets() {
        let f = linux { b in b.syscall(999, [5]); b.sysret(999, retval: 0) }
        assertDump(f, [], "\(p)CALL  [999](0x5)\n\(p)RET   [999] 0\n")
    }

    func testDashSAppendsSyscallNumber() {
        let f = linux { b in b.syscall(1, [1, 2, 3]); b.syscall(999, []) }
        assertDump(f, ["-S"], "\(p)CALL  write[1](0x1,0x2,0x3)\n\(p)CALL  [999]\n")
    }

    func testSymbolicArgumentsComeFromTheLinuxFormatter() {
        let f = linux { b in b.syscall(257, [-100, 0x7ffd0000, 0o101, 0o644]) }
        let r = run(["-f", f])
        XCTAssertTrue(r.out.hasPrefix("\(p)CALL  openat(AT_FDCWD,0x7ffd0000,"), r.out)
        XCTAssertTrue(r.out.contains("O_CREAT"), r.out)
    }

    func testWithoutProcctorArgumentsStayNumeric() {
        // FreeBSD decodes arguments only for a known ABI; names still come from the x86-64 table.
        let f = trace { b in b.syscall(257, [-100, 0x10, 0, 0]) }
        assertDump(f, [], "\(p)CALL  openat(0xffffffffffffff9c,0x10,0,0)\n")
    }

    func testDashNPrintsArgumentsInHexAndDashDInDecimal() {
        let f = linux { b in b.syscall(257, [-100, 16, 0, 0]) }
        assertDump(f, ["-n"], "\(p)CALL  openat(0xffffffffffffff9c,0x10,0,0)\n")
        assertDump(f, ["-n", "-d"], "\(p)CALL  openat(-100,16,0,0)\n")
    }

    func testRetValueFormats() {
        let f = linux { b in
            b.sysret(0, retval: 9)
            b.sysret(0, retval: 10)
            b.sysret(0, retval: -5)
        }
        assertDump(f, [], "\(p)RET   read 9\n\(p)RET   read 10/0xa\n\(p)RET   read -5/0xfffffffffffffffb\n")
        assertDump(f, ["-n"], "\(p)RET   read 0x9\n\(p)RET   read 0xa\n\(p)RET   read 0xfffffffffffffffb\n")
        assertDump(f, ["-n", "-d"], "\(p)RET   read 9\n\(p)RET   read 10\n\(p)RET   read -5\n")
    }

    func testRetErrorUsesLinuxErrnoAndText() {
        let f = linux { b in b.sysret(257, error: 2); b.sysret(0, error: 11) }
        assertDump(f, [], "\(p)RET   openat -1 errno 2 No such file or directory\n"
                   + "\(p)RET   read -1 errno 11 Resource temporarily unavailable\n")
        assertDump(f, ["-n"], "\(p)RET   openat -1 errno 2\n\(p)RET   read -1 errno 11\n")
    }

    func testRetKernelRestartCodesHaveTexts() {
        let f = linux { b in b.sysret(0, error: 512); b.sysret(35, error: 516); b.sysret(0, error: 517) }
        assertDump(f, [], "\(p)RET   read -1 errno 512 To be restarted if SA_RESTART is set\n"
                   + "\(p)RET   nanosleep -1 errno 516 Interrupted by signal\n"
                   + "\(p)RET   read -1 errno 517 Unknown error 517\n")
    }

    func testRetPseudoErrorsAndSuccessfulExecve() {
        let f = linux { b in
            b.sysret(0, error: -1)
            b.sysret(0, error: -2)
            b.sysret(59, retval: 0)
        }
        assertDump(f, [], "\(p)RET   read RESTART\n\(p)RET   read JUSTRETURN\n\(p)RET   execve 0\n")
    }

    func testNamiAndSctlAreQuoted() {
        let f = linux { b in b.namei("/etc/passwd"); b.raw(.sysctl, Array("kern.ostype".utf8)) }
        assertDump(f, [], "\(p)NAMI  \"/etc/passwd\"\n\(p)SCTL  \"kern.ostype\"\n")
    }

    func testGioTextIsVisEncodedAndFolded() {
        let f = linux { b in b.genio(fd: 1, rw: 1, Array("hello\n\n".utf8)) }
        assertDump(f, [], "\(p)GIO   fd 1 wrote 7 bytes\n       \"hello\n\t\n       \"\n")
    }

    func testGioVisEscapes() {
        // CR, backslash, NUL before a digit (\000), NUL before a letter (\0), TAB passes through.
        let f = linux { b in b.genio(fd: 0, rw: 0, [0x61, 13, 0x5c, 0, 0x31, 0, 0x62, 9, 0x63]) }
        assertDump(f, [], "\(p)GIO   fd 0 read 9 bytes\n       \"a\\r\\\\\\0001\\0b\tc\"\n")
    }

    func testGioOneByteAndZeroBytes() {
        let f = linux { b in b.genio(fd: 3, rw: 0, [0x41]); b.genio(fd: 3, rw: 0, []) }
        assertDump(f, [], "\(p)GIO   fd 3 read 1 byte\n       \"A\"\n\(p)GIO   fd 3 read 0 bytes\n       \"\"\n")
    }

    func testGioLongLineWrapsAtScreenWidth() {
        // Width 80 (stderr is not a terminal): wrap when col + width > 78, continuation after a TAB.
        let text = String(repeating: "x", count: 75)
        let f = linux { b in b.genio(fd: 1, rw: 1, Array(text.utf8)) }
        let first = String(repeating: "x", count: 70)
        assertDump(f, [], "\(p)GIO   fd 1 wrote 75 bytes\n       \"\(first)\\\n\txxxxx\"\n")
    }

    func testGioBinaryIsHexDumped() {
        let f = linux { b in b.genio(fd: 3, rw: 0, Array(0..<40)) }
        assertDump(f, [], """
        \(p)GIO   fd 3 read 40 bytes
               0x0000 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f  |................|
               0x0010 1011 1213 1415 1617 1819 1a1b 1c1d 1e1f  |................|
               0x0020 2021 2223 2425 2627                      | !"#$%&'|


        """)
    }

    func testGioHexDumpOfWholeLineHasNoExtraNewline() {
        let f = linux { b in b.genio(fd: 3, rw: 0, [0xff] + Array(repeating: 0x41, count: 15)) }
        assertDump(f, [], "\(p)GIO   fd 3 read 16 bytes\n       0x0000 ff41 4141 4141 4141 4141 4141 4141 4141  |.AAAAAAAAAAAAAAA|\n")
    }

    func testGioDashSSuppressesDataAndDashMLimitsIt() {
        let f = linux { b in b.genio(fd: 1, rw: 1, Array("abcdef".utf8)) }
        assertDump(f, ["-s"], "\(p)GIO   fd 1 wrote 6 bytes\n")
        assertDump(f, ["-m", "3"], "\(p)GIO   fd 1 wrote 6 bytes\n       \"abc\"\n")
        assertDump(f, ["-m3"], "\(p)GIO   fd 1 wrote 6 bytes\n       \"abc\"\n")
        assertDump(f, ["-m", "0"], "\(p)GIO   fd 1 wrote 6 bytes\n       \"abcdef\"\n")
    }

    func testPsigDefaultAndCaught() {
        let f = linux { b in
            b.psig(2, action: 0, code: 0x80, mask: 0)
            b.psig(10, action: 0x401000, code: 0, mask: 1 << 1 | 1 << 40)
            b.psig(99, action: 1, code: 0x1234, mask: 0)
            b.psig(12, action: 2, code: 0, mask: 0)
        }
        assertDump(f, [], "\(p)PSIG  SIGINT SIG_DFL code=SI_KERNEL\n"
                   + "\(p)PSIG  SIGUSR1 caught handler=0x401000 mask=0x2 code=SI_USER\n"
                   + "\(p)PSIG  SIG 99 SIG_IGN code=<invalid=0x1234>\n"
                   + "\(p)PSIG  SIGUSR2 caught handler=0x2 mask=0x0 code=SI_USER\n")
    }

    func testPsigPerSignalCode() {
        let f = linux { b in b.psig(11, action: 0, code: 1, mask: 0) }
        assertDump(f, [], "\(p)PSIG  SIGSEGV SIG_DFL code=SEGV_MAPERR\n")
    }

    func testCswNewAndOldForms() {
        let f = linux { b in
            b.raw(.csw, le(Int32(1)) + le(Int32(0)) + Array("select\0\0".utf8))
            b.raw(.csw, le(Int32(0)) + le(Int32(1)))
        }
        assertDump(f, [], "\(p)CSW   stop kernel \"select\"\n\(p)CSW   resume user\n")
    }

    func testUserBytesInHexAndDecimal() {
        let f = linux { b in b.user([1, 0x20, 0xff]) }
        assertDump(f, [], "\(p)USER  3  01 20 ff\n")
        assertDump(f, ["-d"], "\(p)USER  3  1 32 255\n")
    }

    func testArgsAndEnvs() {
        let f = linux { b in
            b.strings(.args, ["/bin/ls", "-l"])
            b.strings(.envs, ["PATH=/bin"])
            b.raw(.args, [])
        }
        assertDump(f, [], "\(p)ARGS  \"/bin/ls\", \"-l\"\n\(p)ENVS  \"PATH=/bin\"\n\(p)ARGS  \n")
    }

    func testFaultRecords() {
        let f = linux { b in
            b.raw(.fault, le(UInt64(0x7fff1000)) + le(Int32(1)) + le(Int32(0)))
            b.raw(.faultend, le(Int32(0)))
            b.raw(.faultend, le(Int32(5)))
        }
        assertDump(f, [], "\(p)PFLT  0x7fff1000 0x1\n\(p)PRET  KERN_SUCCESS\n\(p)PRET  <invalid=5>\n")
    }

    func testCapfailRecords() {
        func capfail(_ type: UInt32, _ union: [UInt8]) -> [UInt8] {
            le(type) + le(Int16(1)) + le(Int16(0)) + le(UInt32(SVFlags.linux64)) + le(UInt32(0)) + union
        }
        let f = linux { b in
            b.raw(.capfail, capfail(2, []))
            b.raw(.capfail, capfail(3, le(Int32(9))))
            b.raw(.capfail, capfail(6, Array("/etc\0junk".utf8)))
            b.raw(.capfail, capfail(42, []))
        }
        assertDump(f, [], "\(p)CAP   system call not allowed: write\n\(p)CAP   write: signal delivery not allowed: SIGKILL\n"
                   + "\(p)CAP   write: restricted VFS lookup: /etc\n\(p)CAP   write: unknown capability failure\n")
    }

    func testUnknownRecordTypePrintsHeaderOnly() {
        let f = trace { b in b.raw(.procctor, le(UInt32(SVFlags.linux64))) }
        var bytes = Array(try! Data(contentsOf: URL(fileURLWithPath: f)))
        let rb = RecordBuilder()
        rb.raw(.user, [1, 2])
        var unknown = rb.out.array
        unknown[4] = 18  // type 18 | KTR_VERSIONED: FreeBSD's EXTERR, unknown here
        bytes += unknown
        let f2 = file(bytes)
        assertDump(f2, [], "\(p)UNKNOWN(18)  \n")
        // No -t letter selects an unknown type.
        assertDump(f2, ["-t", "cnistuwy"], "")
    }
}

/// GIO wrapping follows the terminal width of stderr (TIOCGWINSZ) unless -n is given.
final class ScreenWidthTests: KdumpTestCase {
    let p = KdumpTestCase.p

    /// Runs kdump with stderr on a pseudo-terminal `columns` wide.
    func runWithTerminal(columns: UInt16, _ args: [String]) throws -> String {
        var master: Int32 = -1, slave: Int32 = -1
        var ws = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        XCTAssertEqual(openpty(&master, &slave, nil, nil, &ws), 0)
        defer { close(master) }
        let proc = Process()
        proc.executableURL = KdumpTestCase.kdumpURL
        proc.arguments = args
        let out = Pipe()
        proc.standardOutput = out
        proc.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        try proc.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        proc.waitUntilExit()
        return String(decoding: o, as: UTF8.self)
    }

    func testHexdumpUses28BytesPerLineAt120Columns() throws {
        let f = linux { b in b.genio(fd: 3, rw: 0, Array(0..<30)) }
        XCTAssertEqual(try runWithTerminal(columns: 120, ["-f", f]), """
        \(p)GIO   fd 3 read 30 bytes
               0x0000 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f 1011 1213 1415 1617 1819 1a1b  |............................|
               0x001c 1c1d                                                                   |..|


        """)
        // -n ignores the terminal: 16 bytes per line.
        XCTAssertTrue(try runWithTerminal(columns: 120, ["-n", "-f", f]).contains("       0x0010 1011"))
    }

    func testTextWrapsAtTerminalWidth() throws {
        let f = linux { b in b.genio(fd: 1, rw: 1, Array(String(repeating: "y", count: 40).utf8)) }
        XCTAssertEqual(try runWithTerminal(columns: 40, ["-f", f]),
                       "\(p)GIO   fd 1 wrote 40 bytes\n       \"\(String(repeating: "y", count: 30))\\\n\tyyyyyyyyyy\"\n")
    }
}
