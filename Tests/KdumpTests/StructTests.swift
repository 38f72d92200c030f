import Foundation
import KtraceFormat
import XCTest

/// STRUCT and STRUCT_ARRAY records with Linux layouts.
final class StructTests: KdumpTestCase {
    let p = KdumpTestCase.p

    /// A Linux x86-64 struct stat (144 bytes).
    func stat(mode: UInt32 = 0o100644, uid: UInt32 = 0, gid: UInt32 = 0, mtimeNsec: Int64 = 0) -> [UInt8] {
        var s = le(UInt64(2049)) + le(UInt64(1234)) + le(UInt64(1))   // dev, ino, nlink
        s += le(mode) + le(uid) + le(gid) + le(UInt32(0))                 // mode, uid, gid, pad
        s += le(UInt64(0)) + le(Int64(42)) + le(Int64(4096)) + le(Int64(8)) // rdev, size, blksize, blocks
        s += le(Int64(1_700_000_000)) + le(Int64(0))                       // atime
        s += le(Int64(1_700_000_001)) + le(mtimeNsec)                      // mtime
        s += le(Int64(1_700_000_002)) + le(Int64(0))                       // ctime
        return s + [UInt8](repeating: 0, count: 24)
    }

    func testStat() {
        let f = linux { b in b.structure("stat", self.stat(mtimeNsec: 5)) }
        assertDump(f, [], "\(p)STRU  struct stat {dev=2049, ino=1234, mode=0100644, nlink=1, uid=0, gid=0, rdev=0, "
                   + "atime=1700000000, mtime=1700000001.000000005, ctime=1700000002, size=42, blksize=4096, blocks=8 }\n")
    }

    func testStatWithDashRResolvesNamesModeAndTimes() {
        setenv("TZ", "UTC", 1)
        let f = linux { b in b.structure("stat", self.stat(mode: 0o104755, uid: 0, gid: 4_000_000)) }
        let r = run(["-r", "-f", f])
        XCTAssertEqual(r.out, "\(p)STRU  struct stat {dev=2049, ino=1234, mode=-rwsr-xr-x , nlink=1, uid=\"root\", gid=4000000, rdev=0, "
                       + "atime=\"Nov 14 22:13:20 2023\", mtime=\"Nov 14 22:13:21 2023\", ctime=\"Nov 14 22:13:22 2023\", "
                       + "size=42, blksize=4096, blocks=8 }\n")
    }

    func testStatOfWrongSizeIsInvalid() {
        let f = linux { b in b.structure("stat", [UInt8](repeating: 0, count: 88)) }
        assertDump(f, [], "\(p)STRU  invalid record\n")
    }

    func testStatx() {
        var s = le(UInt32(0x7ff)) + le(UInt32(4096)) + le(UInt64(0))      // mask, blksize, attributes
        s += le(UInt32(2)) + le(UInt32(1000)) + le(UInt32(100)) + le(UInt16(0o40755)) + le(UInt16(0))
        s += le(UInt64(77)) + le(UInt64(4096)) + le(UInt64(8)) + le(UInt64(0)) // ino, size, blocks, attributes_mask
        for t in [10, 11, 12, 13] { s += le(Int64(t)) + le(UInt32(0)) + le(Int32(0)) } // atime btime ctime mtime
        s += le(UInt32(0)) + le(UInt32(0)) + le(UInt32(8)) + le(UInt32(1))  // rdev 0:0, dev 8:1
        s += [UInt8](repeating: 0, count: 256 - s.count)
        let f = linux { b in b.structure("statx", s) }
        assertDump(f, [], "\(p)STRU  struct statx {mask=0x7ff, dev=2049, ino=77, mode=040755, nlink=2, uid=1000, gid=100, rdev=0, "
                   + "atime=10, btime=11, ctime=12, mtime=13, size=4096, blksize=4096, blocks=8, attributes=0 }\n")
    }

    func testSockaddrFamilies() {
        let inet = le(UInt16(2)) + [0x1f, 0x90, 127, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
        var inet6 = le(UInt16(10)) + [0, 80] + le(UInt32(0)) + [UInt8](repeating: 0, count: 15) + [1]
        inet6 += le(UInt32(0))
        let unix = le(UInt16(1)) + Array("/tmp/sock".utf8) + [0]
        let abstract = le(UInt16(1)) + [0] + Array("hidden".utf8)
        let netlink = le(UInt16(16)) + le(UInt16(0)) + le(UInt32(1234)) + le(UInt32(0x10))
        let f = linux { b in
            for sa in [inet, inet6, unix, abstract, netlink] { b.structure("sockaddr", sa) }
            b.structure("sockaddr", le(UInt16(2)) + [0, 80])      // too short for sockaddr_in
            b.structure("sockaddr", le(UInt16(17)) + [0, 0, 0, 0]) // AF_PACKET: no decoder
            b.structure("sockaddr", le(UInt16(999)) + [0, 0])
            b.structure("sockaddr", [2])                          // not even a family
        }
        assertDump(f, [], """
        \(p)STRU  struct sockaddr { AF_INET, 127.0.0.1:8080 }
        \(p)STRU  struct sockaddr { AF_INET6, [::1]:80 }
        \(p)STRU  struct sockaddr { AF_UNIX, /tmp/sock }
        \(p)STRU  struct sockaddr { AF_UNIX, @hidden }
        \(p)STRU  struct sockaddr { AF_NETLINK, netlink[pid=1234, groups=0x10] }
        \(p)STRU  struct sockaddr { AF_INET, invalid }
        \(p)STRU  struct sockaddr { AF_PACKET, unknown address family }
        \(p)STRU  struct sockaddr { <invalid=999>, unknown address family }
        \(p)STRU  invalid record

        """)
    }

    func testTimeStructsAndLimits() {
        let f = linux { b in
            b.structure("timespec", le(Int64(1)) + le(Int64(500_000_000)))
            b.structure("itimerval", le(Int64(0)) + le(Int64(0)) + le(Int64(2)) + le(Int64(250)))
            b.structure("rlimit", le(UInt64(1024)) + le(UInt64.max))
        }
        assertDump(f, [], "\(p)STRU  timespec {1, 500000000}\n"
                   + "\(p)STRU  itimerval { .interval = {0, 0}, .value = {2, 250} }\n"
                   + "\(p)STRU  rlimit { .cur = 1024, .max = RLIM_INFINITY }\n")
    }

    func testSigactionAndSigset() {
        let f = linux { b in
            b.structure("sigaction", le(UInt64(0x401000)) + le(UInt64(0x14000000)) + le(UInt64(0x7f0010)) + le(UInt64(1 << 1 | 1 << 14)))
            b.structure("sigaction", le(UInt64(1)) + le(UInt64(0)) + le(UInt64(0)) + le(UInt64(0)))
            b.structure("sigset", le(UInt64(1 << 9 | 1 << 16)))
            b.structure("sigset", le(UInt64(0)))
        }
        assertDump(f, [], "\(p)STRU  struct sigaction { handler=0x401000, flags=0x14000000<SA_RESTORER|SA_RESTART>, restorer=0x7f0010, mask=[ SIGINT, SIGTERM ] }\n"
                   + "\(p)STRU  struct sigaction { handler=SIG_IGN, flags=0, restorer=0, mask=[ empty ] }\n"
                   + "\(p)STRU  sigset [ SIGUSR1, SIGCHLD ]\n"
                   + "\(p)STRU  sigset [ empty ]\n")
    }

    func testStructNameChecks() {
        let f = linux { b in
            b.structure("caprights", [0, 0])               // a FreeBSD name this kdump does not know
            b.structure("stat", [])                        // no data
            b.structure("bad1", [0])                       // digits are not allowed in STRUCT names
            b.raw(.structure, Array("stat".utf8))          // no NUL
        }
        assertDump(f, [], "\(p)STRU  unknown structure\n\(p)STRU  invalid record\n\(p)STRU  invalid record\n\(p)STRU  invalid record\n")
    }

    func testPollfdArray() {
        let items = le(Int32(3)) + le(Int16(1)) + le(Int16(0x11)) + le(Int32(4)) + le(Int16(4)) + le(Int16(0))
        let f = linux { b in b.structArray("pollfd", itemSize: 8, items) }
        assertDump(f, [], "\(p)STRU  struct pollfd[] = { { fd=3, events=0x1<POLLIN>, revents=0x11<POLLIN|POLLHUP>}\n"
                   + "             { fd=4, events=0x4<POLLOUT>, revents=0} }\n")
    }

    func testEpollEventArray() {
        let items = le(UInt32(0x80000001)) + le(UInt64(7))
        let f = linux { b in b.structArray("epoll_event", itemSize: 12, items) }
        assertDump(f, [], "\(p)STRU  struct epoll_event[] = { { events=0x80000001<EPOLLIN|EPOLLET>, data=0x7 } }\n")
    }

    func testStructArrayBadSizeUnknownNameAndInvalid() {
        let f = linux { b in
            b.structArray("pollfd", itemSize: 16, [UInt8](repeating: 0, count: 16))
            b.structArray("kevent", itemSize: 4, [UInt8](repeating: 0, count: 8))
            b.structArray("poll fd", itemSize: 8, [])
            b.raw(.structArray, le(UInt64(8)) + Array("pollfd".utf8))
            b.structArray("pollfd", itemSize: 8, [])
        }
        assertDump(f, [], "\(p)STRU  struct pollfd[] = { <bad size> }\n"
                   + "\(p)STRU  struct kevent[] = { <unknown structure> }\n"
                   + "\(p)STRU  invalid record\n\(p)STRU  invalid record\n"
                   + "\(p)STRU  struct pollfd[] = {  }\n")
    }
}
