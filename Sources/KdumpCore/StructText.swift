#if canImport(Glibc)
import Glibc
#endif
import KtraceFormat
import LinuxABI

/// Text of the STRUCT and STRUCT_ARRAY bodies, after FreeBSD's ktrstat, ktrsockaddr,
/// ktritimerval, ktrpollfd and the Linux ktrsigset, with Linux fields.
struct StructText {
    let out: ByteBuffer
    let options: KdumpOptions

    func append(_ s: LinuxStruct) {
        switch s {
        case .stat(let st): stat(st)
        case .statx(let st): statx(st)
        case .sockaddr(let sa): sockaddr(sa)
        case .timespec(let ts):
            out.append("timespec ")
            pair(ts)
        case .itimerval(let it):
            out.append("itimerval { .interval = ")
            pair(it.interval)
            out.append(", .value = ")
            pair(it.value)
            out.append(" }")
        case .rlimit(let rl):
            out.append("rlimit { .cur = ")
            limit(rl.current)
            out.append(", .max = ")
            limit(rl.maximum)
            out.append(" }")
        case .sigaction(let sa): sigaction(sa)
        case .sigset(let set):
            out.append("sigset ")
            sigset(set.bits)
        }
    }

    func append(_ item: LinuxStructArrayKind.Item) {
        switch item {
        case .pollfd(let p):
            out.append("{ fd=")
            out.appendDecimal(Int64(p.fd))
            out.append(", events=")
            mask(UInt64(UInt16(bitPattern: p.events)), LinuxXlat.pollEvents)
            out.append(", revents=")
            mask(UInt64(UInt16(bitPattern: p.revents)), LinuxXlat.pollEvents)
            out.append("}")
        case .epollEvent(let e):
            out.append("{ events=")
            mask(UInt64(e.events), LinuxXlat.epollEvents)
            out.append(", data=")
            out.appendAltHex(e.data)
            out.append(" }")
        }
    }

    // MARK: - Printers

    private func stat(_ st: LinuxStat) {
        out.append("struct stat {")
        identity(dev: st.dev, ino: st.ino, mode: st.mode, nlink: st.nlink, uid: st.uid, gid: st.gid, rdev: st.rdev)
        time("atime=", st.atime)
        time("mtime=", st.mtime)
        time("ctime=", st.ctime)
        sizes(size: st.size, blksize: st.blksize, blocks: st.blocks)
        out.append(" }")
    }

    private func statx(_ st: LinuxStatx) {
        out.append("struct statx {mask=")
        out.appendAltHex(UInt64(st.mask))
        out.append(", ")
        identity(dev: st.dev, ino: st.ino, mode: UInt32(st.mode), nlink: UInt64(st.nlink), uid: st.uid, gid: st.gid, rdev: st.rdev)
        time("atime=", st.atime)
        time("btime=", st.btime)
        time("ctime=", st.ctime)
        time("mtime=", st.mtime)
        sizes(size: Int64(bitPattern: st.size), blksize: Int64(st.blksize), blocks: Int64(bitPattern: st.blocks))
        out.append(", attributes=")
        out.appendAltHex(st.attributes)
        out.append(" }")
    }

    /// The fields ktrstat prints before the times, each followed by `, `.
    private func identity(dev: UInt64, ino: UInt64, mode m: UInt32, nlink: UInt64, uid: UInt32, gid: UInt32, rdev: UInt64) {
        decimalField("dev=", dev)
        decimalField("ino=", ino)
        mode(m)
        decimalField("nlink=", nlink)
        owner(uid: uid, gid: gid)
        decimalField("rdev=", rdev)
    }

    /// ktrstat's last fields: `size=…, blksize=…, blocks=…`.
    private func sizes(size: Int64, blksize: Int64, blocks: Int64) {
        out.append("size=")
        out.appendDecimal(size)
        out.append(", blksize=")
        out.appendDecimal(blksize)
        out.append(", blocks=")
        out.appendDecimal(blocks)
    }

    private func decimalField(_ label: StaticString, _ v: UInt64) {
        out.append(label)
        out.appendDecimal(v)
        out.append(", ")
    }

    private func sockaddr(_ sa: LinuxSockaddr) {
        out.append("struct sockaddr { ")
        out.appendName(LinuxXlat.addressFamilies.name(Int64(sa.family)), orNumber: Int64(sa.family), "<invalid=", ">")
        out.append(", ")
        switch sa {
        case .inet(let address, let port):
            StructText.appendInet4(address, into: out)
            out.append(byte: UInt8(ascii: ":"))
            out.appendDecimal(Int64(port))
        case .inet6(let address, let port, _, let scope):
            out.append(byte: UInt8(ascii: "["))
            StructText.appendInet6(address, into: out)
            if scope != 0 {
                out.append(byte: UInt8(ascii: "%"))
                out.appendDecimal(Int64(scope))
            }
            out.append("]:")
            out.appendDecimal(Int64(port))
        case .unix(let path, let abstract):
            if abstract { out.append(byte: UInt8(ascii: "@")) }
            out.append(path)
        case .netlink(let pid, let groups):
            out.append("netlink[pid=")
            out.appendDecimal(Int64(pid))
            out.append(", groups=0x")
            out.appendHexDigits(UInt64(groups))
            out.append("]")
        case .truncated: out.append("invalid")
        case .other: out.append("unknown address family")
        }
        out.append(" }")
    }

    private func sigaction(_ sa: LinuxSigaction) {
        out.append("struct sigaction { handler=")
        switch sa.handler {
        case 0: out.append("SIG_DFL")
        case 1: out.append("SIG_IGN")
        default: out.appendAltHex(sa.handler)
        }
        out.append(", flags=")
        mask(sa.flags, LinuxXlat.sigactionFlags)
        out.append(", restorer=")
        out.appendAltHex(sa.restorer)
        out.append(", mask=")
        sigset(sa.mask)
        out.append(" }")
    }

    // MARK: - Field helpers

    /// FreeBSD's Linux ktrsigset: `[ SIGINT, SIGTERM ]` or `[ empty ]`.
    private func sigset(_ bits: UInt64) {
        out.append("[ ")
        var first = true
        for sig in 1...64 where bits & (1 << UInt64(sig - 1)) != 0 {
            if !first { out.append(", ") }
            first = false
            out.appendSignal(Int32(sig))
        }
        out.append(first ? "empty ]" : " ]")
    }

    /// print_mask_arg0: `0`, or `%#x<NAMES>`.
    private func mask(_ v: UInt64, _ table: Xlat) {
        table.appendMaskArg(Int64(bitPattern: v), zeroIsPlain: true, into: out)
    }

    /// `{sec, frac}` as FreeBSD's ktrtimeval.
    private func pair(_ t: LinuxTimespec) {
        out.append(byte: UInt8(ascii: "{"))
        out.appendDecimal(t.seconds)
        out.append(", ")
        out.appendDecimal(t.fraction)
        out.append(byte: UInt8(ascii: "}"))
    }

    private func limit(_ v: UInt64) {
        if v == LinuxRlimit.infinity { out.append("RLIM_INFINITY") } else { out.appendDecimal(v) }
    }

    /// `mode=0100644, ` or, with -r, strmode's `mode=-rw-r--r-- , `.
    private func mode(_ m: UInt32) {
        out.append("mode=")
        if options.resolve {
            appendStrmode(m)
        } else {
            out.append(byte: 48)
            appendOctal(UInt64(m))
        }
        out.append(", ")
    }

    private func appendOctal(_ v: UInt64) {
        var digits = 1, x = v
        while x >= 8 { x >>= 3; digits += 1 }
        for i in stride(from: digits - 1, through: 0, by: -1) { out.append(byte: UInt8(48 + (v >> (3 * UInt64(i))) & 7)) }
    }

    /// BSD strmode(3): type letter, nine permission letters, then a space.
    /// File type bits and strmode's letter for each (d c b - l s p).
    private static let fileTypeLetters: [(UInt32, UInt8)] = [(0o040000, 100), (0o020000, 99), (0o060000, 98), (0o100000, 45),
                                                             (0o120000, 108), (0o140000, 115), (0o010000, 112)]
    /// setuid, setgid, sticky: the bit, its letter over x, its letter without x.
    private static let specialBits: [(UInt32, UInt8, UInt8)] = [(0o4000, 115, 83), (0o2000, 115, 83), (0o1000, 116, 84)]

    private func appendStrmode(_ m: UInt32) {
        out.append(byte: StructText.fileTypeLetters.first { $0.0 == m & 0o170000 }?.1 ?? 63)
        let special = StructText.specialBits
        for who in 0..<3 {
            let shift = UInt32(6 - 3 * who)
            out.append(byte: m & (4 << shift) != 0 ? 114 : 45)
            out.append(byte: m & (2 << shift) != 0 ? 119 : 45)
            let exec = m & (1 << shift) != 0
            let (bit, lower, upper) = special[who]
            if m & bit != 0 { out.append(byte: exec ? lower : upper) } else { out.append(byte: exec ? 120 : 45) }
        }
        out.append(byte: 32)
    }

    /// `uid=0, gid=0, `, or with -r the user and group names in quotes when known.
    private func owner(uid: UInt32, gid: UInt32) {
        out.append("uid=")
        if options.resolve, let pw = getpwuid(uid), let name = pw.pointee.pw_name {
            quotedCString(name)
        } else {
            out.appendDecimal(UInt64(uid))
        }
        out.append(", gid=")
        if options.resolve, let gr = getgrgid(gid), let name = gr.pointee.gr_name {
            quotedCString(name)
        } else {
            out.appendDecimal(UInt64(gid))
        }
        out.append(", ")
    }

    private func quotedCString(_ s: UnsafePointer<CChar>) {
        out.append(byte: UInt8(ascii: "\""))
        out.append(UnsafeRawBufferPointer(start: s, count: strlen(s)))
        out.append(byte: UInt8(ascii: "\""))
    }

    /// `atime=SEC` (or `"Mon DD HH:MM:SS YYYY"` local time with -r), `.NNNNNNNNN` if
    /// there are nanoseconds, then `, `.
    private func time(_ label: StaticString, _ t: LinuxTimespec) {
        out.append(label)
        if options.resolve {
            var secs = time_t(t.seconds)
            var tm = tm()
            out.append(byte: UInt8(ascii: "\""))
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf in
                let n = localtime_r(&secs, &tm) != nil ? strftime(buf.baseAddress!, buf.count, "%b %e %T %Y", &tm) : 0
                out.append(UnsafeRawBufferPointer(start: buf.baseAddress, count: n))
            }
            out.append(byte: UInt8(ascii: "\""))
        } else {
            out.appendDecimal(t.seconds)
        }
        if t.fraction != 0 {
            out.append(byte: UInt8(ascii: "."))
            out.appendZeroPadded(t.fraction, digits: 9)
        }
        out.append(", ")
    }

    static func appendInet4(_ a: UnsafeRawBufferPointer, into out: ByteBuffer) {
        for (i, b) in a.enumerated() {
            if i > 0 { out.append(byte: UInt8(ascii: ".")) }
            out.appendDecimal(Int64(b))
        }
    }

    /// inet_ntop's text (RFC 5952 compression, embedded IPv4 where it applies).
    static func appendInet6(_ a: UnsafeRawBufferPointer, into out: ByteBuffer) {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buf in
            guard inet_ntop(AF_INET6, a.baseAddress, buf.baseAddress, socklen_t(buf.count)) != nil else { return }
            out.append(UnsafeRawBufferPointer(start: buf.baseAddress, count: strlen(buf.baseAddress!)))
        }
    }
}
