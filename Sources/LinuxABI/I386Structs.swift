// i386 struct layouts, and how their fields move into the x86-64 layouts that STRU
// records carry (Structs.swift): the tracer widens an i386 process's struct as it
// records it, so kdump decodes one layout per name whatever the process's ABI.
// Offsets from the kernel's i386 uapi headers (asm/stat.h, asm/signal.h, time types),
// where 64-bit fields are 4-byte aligned.

/// One i386 struct and where each of its fields goes in the x86-64 layout.
public struct I386Layout: Sendable {
    /// One field: `width` bytes at `from`, widened (sign-extended if `signed`) to
    /// `wideWidth` bytes at `to`.
    struct Field: Sendable {
        let from: Int, width: Int, signed: Bool, to: Int, wideWidth: Int
        /// All ones stays all ones (RLIM_INFINITY), any other value is unsigned.
        let allOnes: Bool
        init(_ from: Int, _ width: Int, _ to: Int, _ wideWidth: Int, signed: Bool = false, allOnes: Bool = false) {
            self.from = from; self.width = width; self.to = to; self.wideWidth = wideWidth
            self.signed = signed; self.allOnes = allOnes
        }
    }

    /// The i386 size, and the x86-64 size written.
    public let size: Int
    public let wideSize: Int
    let fields: [Field]

    /// Writes the x86-64 layout of the i386 struct at `src` (`size` bytes) into `dst`
    /// (`wideSize` bytes). Fields x86-64 has and i386 lacks (padding, spare words) are 0.
    public func widen(_ src: UnsafeRawPointer, into dst: UnsafeMutableRawPointer) {
        dst.initializeMemory(as: UInt8.self, repeating: 0, count: wideSize)
        for f in fields {
            var v: UInt64
            switch f.width {
            case 2: v = UInt64(src.loadUnaligned(fromByteOffset: f.from, as: UInt16.self))
                if f.signed { v = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: v))) }
            case 4: v = UInt64(src.loadUnaligned(fromByteOffset: f.from, as: UInt32.self))
                if f.signed || (f.allOnes && v == UInt64(UInt32.max)) { v = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) }
            default: v = src.loadUnaligned(fromByteOffset: f.from, as: UInt64.self)
            }
            if f.wideWidth == 4 {
                dst.storeBytes(of: UInt32(truncatingIfNeeded: v), toByteOffset: f.to, as: UInt32.self)
            } else {
                dst.storeBytes(of: v, toByteOffset: f.to, as: UInt64.self)
            }
        }
    }

    /// struct stat64 (96 bytes; stat64, lstat64, fstat64, fstatat64) as struct stat.
    public static let stat64 = I386Layout(size: 96, wideSize: LinuxStat.size, fields: [
        Field(0, 8, 0, 8),      // dev
        Field(88, 8, 8, 8),     // ino (the 64-bit one at the end)
        Field(20, 4, 16, 8),    // nlink
        Field(16, 4, 24, 4),    // mode
        Field(24, 4, 28, 4),    // uid
        Field(28, 4, 32, 4),    // gid
        Field(32, 8, 40, 8),    // rdev
        Field(44, 8, 48, 8, signed: true),   // size
        Field(52, 4, 56, 8),    // blksize
        Field(56, 8, 64, 8),    // blocks
        Field(64, 4, 72, 8), Field(68, 4, 80, 8),     // atime
        Field(72, 4, 88, 8), Field(76, 4, 96, 8),     // mtime
        Field(80, 4, 104, 8), Field(84, 4, 112, 8),   // ctime
    ])

    /// The old i386 struct stat (64 bytes; stat, lstat, fstat) as struct stat.
    public static let stat = I386Layout(size: 64, wideSize: LinuxStat.size, fields: [
        Field(0, 4, 0, 8),      // dev
        Field(4, 4, 8, 8),      // ino
        Field(10, 2, 16, 8),    // nlink
        Field(8, 2, 24, 4),     // mode
        Field(12, 2, 28, 4),    // uid
        Field(14, 2, 32, 4),    // gid
        Field(16, 4, 40, 8),    // rdev
        Field(20, 4, 48, 8),    // size
        Field(24, 4, 56, 8),    // blksize
        Field(28, 4, 64, 8),    // blocks
        Field(32, 4, 72, 8), Field(36, 4, 80, 8),     // atime
        Field(40, 4, 88, 8), Field(44, 4, 96, 8),     // mtime
        Field(48, 4, 104, 8), Field(52, 4, 112, 8),   // ctime
    ])

    /// struct old_timespec32 (nanosleep, clock_nanosleep) as struct timespec.
    public static let timespec = I386Layout(size: 8, wideSize: LinuxTimespec.size, fields: [
        Field(0, 4, 0, 8, signed: true), Field(4, 4, 8, 8, signed: true),
    ])

    /// struct old_itimerval32 (two 32-bit timevals) as struct itimerval.
    public static let itimerval = I386Layout(size: 16, wideSize: LinuxItimerval.size, fields: [
        Field(0, 4, 0, 8, signed: true), Field(4, 4, 8, 8, signed: true),
        Field(8, 4, 16, 8, signed: true), Field(12, 4, 24, 8, signed: true),
    ])

    /// The kernel's i386 struct sigaction (handler, flags, restorer: 32 bits; mask: 64).
    public static let sigaction = I386Layout(size: 20, wideSize: LinuxSigaction.size, fields: [
        Field(0, 4, 0, 8), Field(4, 4, 8, 8), Field(8, 4, 16, 8), Field(12, 8, 24, 8),
    ])

    /// The i386 struct rlimit (getrlimit, setrlimit: two 32-bit values) as struct rlimit.
    public static let rlimit = I386Layout(size: 8, wideSize: LinuxRlimit.size, fields: [
        Field(0, 4, 0, 8, allOnes: true), Field(4, 4, 8, 8, allOnes: true),
    ])
}
