// FreeBSD sys/ktrace.h, version 1 records, amd64 layout, host byte order.
// docs/FORMAT.md describes every byte; this file is its code form.

/// Record types (the low bits of `ktr_type`).
public enum RecordType: UInt16, CaseIterable, Sendable {
    case syscall = 1, sysret = 2, namei = 3, genio = 4, psig = 5, csw = 6, user = 7
    case structure = 8, sysctl = 9, procctor = 10, procdtor = 11, capfail = 12
    case fault = 13, faultend = 14, structArray = 15, args = 16, envs = 17

    /// The facility bit that enables this record type (`1 << type`).
    public var facility: Facilities { Facilities(rawValue: 1 << UInt32(rawValue)) }
}

public enum Ktr {
    public static let headerSize = 64
    public static let headerV0Size = 56
    public static let commSize = 20
    public static let versioned: UInt16 = 0x4000
    public static let drop: UInt16 = 0x8000
    public static let version1: Int16 = 1
    /// Longest USER payload (FreeBSD's KTR_USER_MAXLEN).
    public static let userMaxLength = 2048
    /// Fixed payload sizes (FreeBSD's data_lengths[]).
    public static let syscallFixed = 8
    public static let sysretSize = 16
    public static let genioFixed = 8
    public static let psigSize = 40
    public static let cswSize = 16
    public static let cswOldSize = 8
    public static let procctorSize = 4
    public static let structArrayFixed = 8
    /// Largest payload a reader accepts; anything longer is a corrupt length.
    public static let maxPayload = 64 << 20
}

/// `sv_flags` bits of the PROCCTOR record that kdump uses to pick an ABI.
public enum SVFlags {
    public static let abiMask: UInt32 = 0xff
    public static let abiLinux: UInt32 = 3
    public static let abiFreeBSD: UInt32 = 9
    public static let ilp32: UInt32 = 0x100
    public static let lp64: UInt32 = 0x200
    /// An x86-64 Linux process.
    public static let linux64: UInt32 = abiLinux | lp64
    /// An i386 Linux process.
    public static let linux32: UInt32 = abiLinux | ilp32
}

/// Trace facilities, as in `p_traceflag` (KTRFAC_*), selected by the `-t` letters.
public struct Facilities: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let syscall = Facilities(rawValue: 1 << 1)
    public static let sysret = Facilities(rawValue: 1 << 2)
    public static let namei = Facilities(rawValue: 1 << 3)
    public static let genio = Facilities(rawValue: 1 << 4)
    public static let psig = Facilities(rawValue: 1 << 5)
    public static let csw = Facilities(rawValue: 1 << 6)
    public static let user = Facilities(rawValue: 1 << 7)
    public static let structure = Facilities(rawValue: 1 << 8)
    public static let sysctl = Facilities(rawValue: 1 << 9)
    public static let procctor = Facilities(rawValue: 1 << 10)
    public static let procdtor = Facilities(rawValue: 1 << 11)
    public static let capfail = Facilities(rawValue: 1 << 12)
    public static let fault = Facilities(rawValue: 1 << 13)
    public static let faultend = Facilities(rawValue: 1 << 14)
    public static let structArray = Facilities(rawValue: 1 << 15)
    public static let args = Facilities(rawValue: 1 << 16)
    public static let envs = Facilities(rawValue: 1 << 17)
    /// KTRFAC_INHERIT: children created later are traced too.
    public static let inherit = Facilities(rawValue: 0x4000_0000)

    public static let mask = Facilities(rawValue: 0x00ff_ffff)
    /// FreeBSD's DEF_POINTS: c, i, n, s, t, u, y.
    public static let defaultPoints: Facilities = [.syscall, .sysret, .namei, .genio, .psig, .user, .structure, .sysctl, .structArray]
    public static let procABI: Facilities = [.procctor, .procdtor]
    /// Every record type kdump shows by default.
    public static let all = Facilities(rawValue: 0x0003_fffe)

    /// Parses a `-t` string: FreeBSD's letters plus OpenBSD's `x`/`X`. Returns nil on an unknown letter.
    public init?(letters: String) {
        var f: Facilities = []
        for ch in letters {
            switch ch {
            case "c": f.formUnion([.syscall, .sysret])
            case "f": f.formUnion([.fault, .faultend])
            case "i": f.insert(.genio)
            case "n": f.insert(.namei)
            case "p": f.insert(.capfail)
            case "s": f.insert(.psig)
            case "t": f.formUnion([.structure, .structArray])
            case "u": f.insert(.user)
            case "w": f.insert(.csw)
            case "y": f.insert(.sysctl)
            case "x": f.insert(.args)
            case "X": f.insert(.envs)
            case "+": f.formUnion(.defaultPoints)
            default: return nil
            }
        }
        self = f
    }
}
