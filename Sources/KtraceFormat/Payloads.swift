// Typed, bounds-checked views of record payloads. Each `init(_:)` throws
// `PayloadError` when the bytes cannot hold what the type needs; none copies.

public struct PayloadError: Error, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

@inline(__always)
private func need(_ p: UnsafeRawBufferPointer, _ n: Int, _ what: StaticString) throws {
    if p.count < n { throw PayloadError("\(what) payload too short (\(p.count) bytes, need \(n))") }
}

/// KTR_SYSCALL: int16 code, int16 narg, 4 pad, narg × int64.
public struct SyscallPayload {
    public let code: Int16
    public let narg: Int16
    public let argBytes: UnsafeRawBufferPointer

    public init(_ p: UnsafeRawBufferPointer) throws {
        try need(p, Ktr.syscallFixed, "syscall")
        code = p.loadUnaligned(fromByteOffset: 0, as: Int16.self)
        narg = p.loadUnaligned(fromByteOffset: 2, as: Int16.self)
        if narg < 0 || Ktr.syscallFixed + Int(narg) * 8 > p.count {
            throw PayloadError("syscall narg \(narg) larger than its payload (\(p.count) bytes)")
        }
        argBytes = UnsafeRawBufferPointer(rebasing: p[Ktr.syscallFixed..<(Ktr.syscallFixed + Int(narg) * 8)])
    }

    public var count: Int { Int(narg) }
    public subscript(i: Int) -> Int64 { argBytes.loadUnaligned(fromByteOffset: i * 8, as: Int64.self) }

    public static func size(narg: Int) -> Int { Ktr.syscallFixed + 8 * narg }
    public static func encode(into p: UnsafeMutableRawPointer, code: Int, args: UnsafeBufferPointer<Int64>) {
        p.storeBytes(of: Int16(truncatingIfNeeded: code), toByteOffset: 0, as: Int16.self)
        p.storeBytes(of: Int16(args.count), toByteOffset: 2, as: Int16.self)
        p.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        for (i, a) in args.enumerated() { p.storeBytes(of: a, toByteOffset: 8 + 8 * i, as: Int64.self) }
    }
}

/// KTR_SYSRET: int16 code, int16 eosys, int32 error, int64 retval.
public struct SysretPayload {
    public let code: Int16
    public let eosys: Int16
    public let error: Int32
    public let retval: Int64

    /// FreeBSD's pseudo-errors, kept so that FreeBSD traces decode too.
    public static let restart: Int32 = -1
    public static let justReturn: Int32 = -2

    public init(_ p: UnsafeRawBufferPointer) throws {
        try need(p, Ktr.sysretSize, "sysret")
        code = p.loadUnaligned(fromByteOffset: 0, as: Int16.self)
        eosys = p.loadUnaligned(fromByteOffset: 2, as: Int16.self)
        error = p.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        retval = p.loadUnaligned(fromByteOffset: 8, as: Int64.self)
    }

    public static func encode(into p: UnsafeMutableRawPointer, code: Int, error: Int32, retval: Int64) {
        p.storeBytes(of: Int16(truncatingIfNeeded: code), toByteOffset: 0, as: Int16.self)
        p.storeBytes(of: Int16(0), toByteOffset: 2, as: Int16.self)
        p.storeBytes(of: error, toByteOffset: 4, as: Int32.self)
        p.storeBytes(of: error == 0 ? retval : 0, toByteOffset: 8, as: Int64.self)
    }
}

/// KTR_GENIO: int32 fd, int32 rw (0 read, 1 write), then the data.
public struct GenioPayload {
    public let fd: Int32
    public let rw: Int32
    public let data: UnsafeRawBufferPointer
    public static let read: Int32 = 0
    public static let write: Int32 = 1

    public init(_ p: UnsafeRawBufferPointer) throws {
        try need(p, Ktr.genioFixed, "genio")
        fd = p.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        rw = p.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        data = UnsafeRawBufferPointer(rebasing: p[Ktr.genioFixed...])
    }

    public static func encodeFixed(into p: UnsafeMutableRawPointer, fd: Int32, rw: Int32) {
        p.storeBytes(of: fd, toByteOffset: 0, as: Int32.self)
        p.storeBytes(of: rw, toByteOffset: 4, as: Int32.self)
    }
}

/// KTR_PSIG: int32 signo, 4 pad, int64 action, int32 code, uint32[4] mask, 4 pad.
public struct PsigPayload {
    public let signo: Int32
    public let action: UInt64
    public let code: Int32
    public let mask: (UInt32, UInt32, UInt32, UInt32)
    public static let sigDFL: UInt64 = 0
    public static let sigIGN: UInt64 = 1

    public init(_ p: UnsafeRawBufferPointer) throws {
        try need(p, Ktr.psigSize, "psig")
        signo = p.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        action = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        code = p.loadUnaligned(fromByteOffset: 16, as: Int32.self)
        mask = (p.loadUnaligned(fromByteOffset: 20, as: UInt32.self), p.loadUnaligned(fromByteOffset: 24, as: UInt32.self),
                p.loadUnaligned(fromByteOffset: 28, as: UInt32.self), p.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
    }

    /// `mask` is the Linux sigset (bit sig-1), low 64 signals.
    public static func encode(into p: UnsafeMutableRawPointer, signo: Int32, action: UInt64, code: Int32, mask: UInt64) {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: Ktr.psigSize)
        p.storeBytes(of: signo, toByteOffset: 0, as: Int32.self)
        p.storeBytes(of: action, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: code, toByteOffset: 16, as: Int32.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: mask), toByteOffset: 20, as: UInt32.self)
        p.storeBytes(of: UInt32(truncatingIfNeeded: mask >> 32), toByteOffset: 24, as: UInt32.self)
    }
}

/// KTR_CSW: int32 out, int32 user, char wmesg[8] (absent in the old 8-byte form).
public struct CswPayload {
    public let out: Int32
    public let user: Int32
    /// Empty for the old form.
    public let wmesg: UnsafeRawBufferPointer

    public init(_ p: UnsafeRawBufferPointer) throws {
        try need(p, Ktr.cswOldSize, "csw")
        out = p.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        user = p.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        if p.count >= Ktr.cswSize {
            let w = UnsafeRawBufferPointer(rebasing: p[8..<16])
            wmesg = UnsafeRawBufferPointer(rebasing: w[0..<(w.firstIndex(of: 0) ?? 8)])
        } else {
            wmesg = UnsafeRawBufferPointer(start: nil, count: 0)
        }
    }
}

/// KTR_PROCCTOR: uint32 sv_flags.
public struct ProcctorPayload {
    public let svFlags: UInt32
    public init(_ p: UnsafeRawBufferPointer) throws {
        try need(p, Ktr.procctorSize, "procctor")
        svFlags = p.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
    }
}

/// KTR_STRUCT: name, NUL, struct bytes.
public struct StructPayload {
    public let name: UnsafeRawBufferPointer
    public let data: UnsafeRawBufferPointer

    public init(_ p: UnsafeRawBufferPointer) throws {
        guard let nul = p.firstIndex(of: 0) else { throw PayloadError("struct name without NUL") }
        name = UnsafeRawBufferPointer(rebasing: p[0..<nul])
        data = UnsafeRawBufferPointer(rebasing: p[(nul + 1)...])
    }

    public func nameIs(_ s: StaticString) -> Bool {
        name.count == s.utf8CodeUnitCount && memcmpEqual(name, s)
    }
}

/// KTR_STRUCT_ARRAY: uint64 struct size, name, NUL, items.
public struct StructArrayPayload {
    public let structSize: UInt64
    public let name: UnsafeRawBufferPointer
    public let items: UnsafeRawBufferPointer

    public init(_ p: UnsafeRawBufferPointer) throws {
        try need(p, Ktr.structArrayFixed, "struct array")
        structSize = p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let rest = UnsafeRawBufferPointer(rebasing: p[Ktr.structArrayFixed...])
        guard let nul = rest.firstIndex(of: 0) else { throw PayloadError("struct array name without NUL") }
        name = UnsafeRawBufferPointer(rebasing: rest[0..<nul])
        items = UnsafeRawBufferPointer(rebasing: rest[(nul + 1)...])
    }

    /// Number of whole items, or nil if the size is 0 or does not divide the data.
    public var count: Int? {
        guard structSize > 0, structSize <= UInt64(Ktr.maxPayload), items.count % Int(structSize) == 0 else { return nil }
        return items.count / Int(structSize)
    }

    public func nameIs(_ s: StaticString) -> Bool {
        name.count == s.utf8CodeUnitCount && memcmpEqual(name, s)
    }
}

/// KTR_ARGS / KTR_ENVS: NUL-terminated strings back to back. Calls `body` for each;
/// returns false if the last string is not terminated.
public func forEachCString(_ p: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Bool {
    var start = 0
    var i = 0
    while i < p.count {
        if p[i] == 0 {
            try body(UnsafeRawBufferPointer(rebasing: p[start..<i]))
            start = i + 1
        }
        i += 1
    }
    if start < p.count {
        try body(UnsafeRawBufferPointer(rebasing: p[start..<p.count]))
        return false
    }
    return true
}

@inline(__always)
func memcmpEqual(_ a: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
    let b = UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
    for i in 0..<a.count where a[i] != b[i] { return false }
    return true
}
