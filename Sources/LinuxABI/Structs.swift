import KtraceFormat

// Linux x86-64 struct layouts carried by STRUCT and STRUCT_ARRAY records, and their
// decoding from record bytes. The tracer writes them with these exact sizes; kdump
// refuses any other size, as FreeBSD's kdump does for its own structs.

@inline(__always)
private func load<T: FixedWidthInteger>(_ p: UnsafeRawBufferPointer, _ off: Int, _: T.Type) -> T {
    p.loadUnaligned(fromByteOffset: off, as: T.self)
}

public struct LinuxTimespec: Equatable, Sendable {
    public var seconds: Int64
    /// Nanoseconds (microseconds in a `timeval`).
    public var fraction: Int64
    public init(seconds: Int64, fraction: Int64) { self.seconds = seconds; self.fraction = fraction }
    public static let size = 16
    init(_ p: UnsafeRawBufferPointer, _ off: Int) {
        seconds = load(p, off, Int64.self)
        fraction = load(p, off + 8, Int64.self)
    }
}

/// struct stat, x86-64 (144 bytes): dev, ino, nlink, mode, uid, gid, pad, rdev, size,
/// blksize, blocks, atime, mtime, ctime, 3 unused longs.
public struct LinuxStat: Equatable, Sendable {
    public static let size = 144
    public var dev: UInt64, ino: UInt64, nlink: UInt64
    public var mode: UInt32, uid: UInt32, gid: UInt32
    public var rdev: UInt64
    public var size: Int64, blksize: Int64, blocks: Int64
    public var atime: LinuxTimespec, mtime: LinuxTimespec, ctime: LinuxTimespec

    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count == LinuxStat.size else { return nil }
        dev = load(p, 0, UInt64.self); ino = load(p, 8, UInt64.self); nlink = load(p, 16, UInt64.self)
        mode = load(p, 24, UInt32.self); uid = load(p, 28, UInt32.self); gid = load(p, 32, UInt32.self)
        rdev = load(p, 40, UInt64.self)
        size = load(p, 48, Int64.self); blksize = load(p, 56, Int64.self); blocks = load(p, 64, Int64.self)
        atime = LinuxTimespec(p, 72); mtime = LinuxTimespec(p, 88); ctime = LinuxTimespec(p, 104)
    }
}

/// glibc's makedev(): how a major/minor pair is packed into a 64-bit dev_t.
public func linuxMakedev(major: UInt32, minor: UInt32) -> UInt64 {
    let ma = UInt64(major), mi = UInt64(minor)
    return ((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff)
}

/// struct statx (256 bytes). Timestamps are struct statx_timestamp { s64 sec; u32 nsec; s32 pad }.
public struct LinuxStatx: Equatable, Sendable {
    public static let size = 256
    public var mask: UInt32, blksize: UInt32
    public var attributes: UInt64
    public var nlink: UInt32, uid: UInt32, gid: UInt32
    public var mode: UInt16
    public var ino: UInt64, size: UInt64, blocks: UInt64, attributesMask: UInt64
    public var atime: LinuxTimespec, btime: LinuxTimespec, ctime: LinuxTimespec, mtime: LinuxTimespec
    public var rdev: UInt64, dev: UInt64

    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count == LinuxStatx.size else { return nil }
        func ts(_ off: Int) -> LinuxTimespec {
            LinuxTimespec(seconds: load(p, off, Int64.self), fraction: Int64(load(p, off + 8, UInt32.self)))
        }
        mask = load(p, 0, UInt32.self); blksize = load(p, 4, UInt32.self)
        attributes = load(p, 8, UInt64.self)
        nlink = load(p, 16, UInt32.self); uid = load(p, 20, UInt32.self); gid = load(p, 24, UInt32.self)
        mode = load(p, 28, UInt16.self)
        ino = load(p, 32, UInt64.self); size = load(p, 40, UInt64.self)
        blocks = load(p, 48, UInt64.self); attributesMask = load(p, 56, UInt64.self)
        atime = ts(64); btime = ts(80); ctime = ts(96); mtime = ts(112)
        rdev = linuxMakedev(major: load(p, 128, UInt32.self), minor: load(p, 132, UInt32.self))
        dev = linuxMakedev(major: load(p, 136, UInt32.self), minor: load(p, 140, UInt32.self))
    }
}

/// A Linux sockaddr: u16 family first (no sa_len). Views point into the record.
public enum LinuxSockaddr {
    public static let familyUnix: UInt16 = 1
    public static let familyInet: UInt16 = 2
    public static let familyInet6: UInt16 = 10
    public static let familyNetlink: UInt16 = 16
    static let inetSize = 16, inet6Size = 28, netlinkSize = 12

    /// sun_path up to its NUL; `abstract` when the name starts with a NUL (Linux abstract namespace).
    case unix(path: UnsafeRawBufferPointer, abstract: Bool)
    /// Address bytes in network order; port in host order.
    case inet(address: UnsafeRawBufferPointer, port: UInt16)
    case inet6(address: UnsafeRawBufferPointer, port: UInt16, flowInfo: UInt32, scopeID: UInt32)
    case netlink(pid: UInt32, groups: UInt32)
    /// A known family whose data is shorter than its sockaddr (FreeBSD prints `invalid`).
    case truncated(family: UInt16)
    case other(family: UInt16)

    public var family: UInt16 {
        switch self {
        case .unix: return LinuxSockaddr.familyUnix
        case .inet: return LinuxSockaddr.familyInet
        case .inet6: return LinuxSockaddr.familyInet6
        case .netlink: return LinuxSockaddr.familyNetlink
        case .truncated(let f), .other(let f): return f
        }
    }

    /// nil when the data cannot even hold the family.
    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count >= 2 else { return nil }
        let family = load(p, 0, UInt16.self)
        func bigEndian16(_ off: Int) -> UInt16 { UInt16(p[off]) << 8 | UInt16(p[off + 1]) }
        switch family {
        case LinuxSockaddr.familyUnix:
            let path = UnsafeRawBufferPointer(rebasing: p[2...])
            if let first = path.first, first == 0 {
                let name = UnsafeRawBufferPointer(rebasing: path[1...])
                self = .unix(path: UnsafeRawBufferPointer(rebasing: name[0..<(name.firstIndex(of: 0) ?? name.count)]), abstract: true)
            } else {
                self = .unix(path: UnsafeRawBufferPointer(rebasing: path[0..<(path.firstIndex(of: 0) ?? path.count)]), abstract: false)
            }
        case LinuxSockaddr.familyInet:
            guard p.count >= LinuxSockaddr.inetSize else { self = .truncated(family: family); return }
            self = .inet(address: UnsafeRawBufferPointer(rebasing: p[4..<8]), port: bigEndian16(2))
        case LinuxSockaddr.familyInet6:
            guard p.count >= LinuxSockaddr.inet6Size else { self = .truncated(family: family); return }
            self = .inet6(address: UnsafeRawBufferPointer(rebasing: p[8..<24]), port: bigEndian16(2),
                          flowInfo: UInt32(bigEndian: load(p, 4, UInt32.self)), scopeID: load(p, 24, UInt32.self))
        case LinuxSockaddr.familyNetlink:
            guard p.count >= LinuxSockaddr.netlinkSize else { self = .truncated(family: family); return }
            self = .netlink(pid: load(p, 4, UInt32.self), groups: load(p, 8, UInt32.self))
        default:
            self = .other(family: family)
        }
    }
}

/// struct itimerval: two struct timeval (interval, value), 32 bytes.
public struct LinuxItimerval: Equatable, Sendable {
    public static let size = 32
    public var interval: LinuxTimespec, value: LinuxTimespec
    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count == LinuxItimerval.size else { return nil }
        interval = LinuxTimespec(p, 0); value = LinuxTimespec(p, 16)
    }
}

/// struct rlimit / rlimit64: cur, max (u64; all ones is RLIM_INFINITY).
public struct LinuxRlimit: Equatable, Sendable {
    public static let size = 16
    public static let infinity = UInt64.max
    public var current: UInt64, maximum: UInt64
    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count == LinuxRlimit.size else { return nil }
        current = load(p, 0, UInt64.self); maximum = load(p, 8, UInt64.self)
    }
}

/// The kernel's struct sigaction on x86-64: handler, flags, restorer, mask (u64 each).
public struct LinuxSigaction: Equatable, Sendable {
    public static let size = 32
    public var handler: UInt64, flags: UInt64, restorer: UInt64, mask: UInt64
    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count == LinuxSigaction.size else { return nil }
        handler = load(p, 0, UInt64.self); flags = load(p, 8, UInt64.self)
        restorer = load(p, 16, UInt64.self); mask = load(p, 24, UInt64.self)
    }
}

/// The kernel sigset: 64 bits, bit (sig-1).
public struct LinuxSigset: Equatable, Sendable {
    public static let size = 8
    public var bits: UInt64
    public init?(_ p: UnsafeRawBufferPointer) {
        guard p.count == LinuxSigset.size else { return nil }
        bits = load(p, 0, UInt64.self)
    }
    /// Signal numbers in the set, ascending.
    public var signals: [Int32] { (0..<64).filter { bits & (1 << UInt64($0)) != 0 }.map { Int32($0 + 1) } }
}

/// A decoded STRUCT record body.
public enum LinuxStruct {
    case stat(LinuxStat)
    case statx(LinuxStatx)
    case sockaddr(LinuxSockaddr)
    case timespec(LinuxTimespec)
    case itimerval(LinuxItimerval)
    case rlimit(LinuxRlimit)
    case sigaction(LinuxSigaction)
    case sigset(LinuxSigset)

    public enum Decoding {
        case value(LinuxStruct)
        /// A known name with the wrong size (kdump prints `invalid record`).
        case invalid
        /// A name kdump does not know (`unknown structure`).
        case unknown
    }

    private static let decoders: [(String, (UnsafeRawBufferPointer) -> LinuxStruct?)] = [
        ("stat", { LinuxStat($0).map(LinuxStruct.stat) }),
        ("statx", { LinuxStatx($0).map(LinuxStruct.statx) }),
        ("sockaddr", { LinuxSockaddr($0).map(LinuxStruct.sockaddr) }),
        ("timespec", { $0.count == LinuxTimespec.size ? .timespec(LinuxTimespec($0, 0)) : nil }),
        ("itimerval", { LinuxItimerval($0).map(LinuxStruct.itimerval) }),
        ("rlimit", { LinuxRlimit($0).map(LinuxStruct.rlimit) }),
        ("sigaction", { LinuxSigaction($0).map(LinuxStruct.sigaction) }),
        ("sigset", { LinuxSigset($0).map(LinuxStruct.sigset) }),
    ]

    /// Decodes `data` as the struct called `name` (the record's name bytes, without NUL).
    public static func decode(name: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Decoding {
        for (known, decoder) in decoders where bytesEqual(name, known) {
            return decoder(data).map(Decoding.value) ?? .invalid
        }
        return .unknown
    }
}

/// struct pollfd: int fd, short events, short revents (8 bytes).
public struct LinuxPollfd: Equatable, Sendable {
    public static let size = 8
    public var fd: Int32, events: Int16, revents: Int16
    init(_ p: UnsafeRawBufferPointer) {
        fd = load(p, 0, Int32.self); events = load(p, 4, Int16.self); revents = load(p, 6, Int16.self)
    }
}

/// struct epoll_event, packed on x86-64: u32 events, u64 data (12 bytes).
public struct LinuxEpollEvent: Equatable, Sendable {
    public static let size = 12
    public var events: UInt32, data: UInt64
    init(_ p: UnsafeRawBufferPointer) {
        events = load(p, 0, UInt32.self); data = load(p, 4, UInt64.self)
    }
}

/// The element types a STRUCT_ARRAY record may carry.
public enum LinuxStructArrayKind: Sendable {
    case pollfd, epollEvent

    public enum Item {
        case pollfd(LinuxPollfd)
        case epollEvent(LinuxEpollEvent)
    }

    public init?(name: UnsafeRawBufferPointer) {
        if bytesEqual(name, "pollfd") { self = .pollfd } else if bytesEqual(name, "epoll_event") { self = .epollEvent } else { return nil }
    }

    public var itemSize: Int { self == .pollfd ? LinuxPollfd.size : LinuxEpollEvent.size }

    /// Decodes one item; `p` must hold exactly `itemSize` bytes.
    public func item(_ p: UnsafeRawBufferPointer) -> Item {
        self == .pollfd ? .pollfd(LinuxPollfd(p)) : .epollEvent(LinuxEpollEvent(p))
    }
}

@inline(__always)
func bytesEqual(_ a: UnsafeRawBufferPointer, _ s: String) -> Bool {
    a.elementsEqual(s.utf8)
}
