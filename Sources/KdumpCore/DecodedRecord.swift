import KtraceFormat
import LinuxABI

/// One record, decoded once. Both renderers (FreeBSD text, JSON Lines) read this value;
/// neither looks at raw bytes again. Payload views point into the reader's buffer and
/// stay valid until the next record is read.
public struct DecodedRecord {
    public var header: RecordHeader
    /// File offset of the header.
    public var offset: UInt64
    /// The process's PROCCTOR sv_flags, 0 if none was seen.
    public var svFlags: UInt32
    public var body: Body

    public enum Body {
        case syscall(SyscallPayload, SyscallInfo)
        case sysret(SysretPayload, SyscallInfo)
        case namei(UnsafeRawBufferPointer)
        case sysctl(UnsafeRawBufferPointer)
        case genio(GenioPayload)
        case psig(PsigPayload)
        case csw(CswPayload)
        case user(UnsafeRawBufferPointer)
        case structure(StructBody)
        case structArray(StructArrayBody)
        /// ARGS or ENVS: NUL-terminated strings back to back.
        case strings(UnsafeRawBufferPointer)
        case capfail(CapfailBody)
        case fault(address: UInt64, protection: Int32)
        case faultEnd(result: Int32)
        /// A record type kdump does not know; only the header is shown.
        case unknown
    }

    /// The syscall a CALL or RET names, resolved against the process's ABI.
    public struct SyscallInfo {
        public var number: Int
        /// nil when the ABI's table has no such number (printed `[n]`).
        public var desc: SyscallDesc?
        /// Symbolic argument decoding applies (a Linux ABI was announced by PROCCTOR).
        public var decodable: Bool
        public var name: String? { desc?.name }
    }

    public enum StructBody {
        /// Bad name or wrong size: `invalid record`.
        case invalid
        case unknown(name: UnsafeRawBufferPointer)
        case value(name: UnsafeRawBufferPointer, LinuxStruct)
    }

    public struct StructArrayBody {
        public var name: UnsafeRawBufferPointer
        /// nil for a name kdump does not know.
        public var kind: LinuxStructArrayKind?
        public var itemSize: UInt64
        public var items: UnsafeRawBufferPointer
        /// false when the record is malformed (`invalid record`).
        public var valid: Bool

        /// Whole items, as FreeBSD's loop takes them (`datalen >= struct_size`).
        public var itemCount: Int {
            guard itemSize > 0, itemSize <= UInt64(items.count) else { return 0 }
            return items.count / Int(itemSize)
        }
        public func item(_ i: Int) -> UnsafeRawBufferPointer {
            let s = Int(itemSize)
            return UnsafeRawBufferPointer(rebasing: items[(i * s)..<((i + 1) * s)])
        }
    }

    /// FreeBSD's 2024 struct ktr_cap_fail: type, syscall, sv_flags, then a union at offset 16.
    public struct CapfailBody {
        public var type: UInt32
        public var syscall: Int16
        /// The union (cap_int, cap_path, ...), as much of it as the record holds.
        public var data: UnsafeRawBufferPointer
        public static let typeNames = ["NOTCAPABLE", "INCREASE", "SYSCALL", "SIGNAL", "PROTO", "SOCKADDR", "NAMEI", "CPUSET"]
        public static let dataOffset = 16

        /// `cap_int` (signal or protocol number), if present.
        public var int: Int32? { data.count >= 4 ? data.loadUnaligned(as: Int32.self) : nil }
        /// `cap_path` up to its NUL.
        public var path: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: data[0..<(data.firstIndex(of: 0) ?? data.count)]) }
    }
}

/// Facts about the ABI of a process, from the PROCCTOR sv_flags.
public enum ABIInfo {
    /// The Linux ABI whose tables name the syscalls. Without a PROCCTOR (sv_flags 0)
    /// the x86-64 table is used, since this kdump reads Linux traces.
    public static func arch(svFlags: UInt32) -> LinuxArch? {
        svFlags == 0 ? .x86_64 : LinuxArch(svFlags: svFlags)
    }

    /// The `-A` column: ABI letter and width, e.g. `L64`.
    public static func label(svFlags: UInt32) -> StaticString {
        let abi = svFlags & SVFlags.abiMask
        let lp64 = svFlags & SVFlags.lp64 != 0, ilp32 = svFlags & SVFlags.ilp32 != 0
        switch abi {
        case SVFlags.abiLinux: return lp64 ? "L64" : ilp32 ? "L32" : "L00"
        case SVFlags.abiFreeBSD: return lp64 ? "F64" : ilp32 ? "F32" : "F00"
        default: return lp64 ? "U64" : ilp32 ? "U32" : "U00"
        }
    }
}

/// Decodes payloads. A payload too short for its type is a `PayloadError`, except for
/// STRUCT and STRUCT_ARRAY, which FreeBSD reports in-line as `invalid record`.
public enum RecordDecoder {
    public static func decode(_ record: Record, svFlags: UInt32) throws -> DecodedRecord {
        let p = record.payload
        let body: DecodedRecord.Body
        switch RecordType(rawValue: record.header.type) {
        case .syscall?:
            let s = try SyscallPayload(p)
            body = .syscall(s, syscallInfo(Int(s.code), svFlags))
        case .sysret?:
            let s = try SysretPayload(p)
            body = .sysret(s, syscallInfo(Int(s.code), svFlags))
        case .namei?: body = .namei(p)
        case .sysctl?: body = .sysctl(p)
        case .genio?: body = .genio(try GenioPayload(p))
        case .psig?: body = .psig(try PsigPayload(p))
        case .csw?: body = .csw(try CswPayload(p))
        case .user?: body = .user(p)
        case .structure?: body = .structure(structure(p))
        case .structArray?: body = .structArray(try structArray(p))
        case .args?, .envs?: body = .strings(p)
        case .capfail?:
            try need(p, 8, "capfail")
            let union = p.count > DecodedRecord.CapfailBody.dataOffset
                ? UnsafeRawBufferPointer(rebasing: p[DecodedRecord.CapfailBody.dataOffset...]) : UnsafeRawBufferPointer(start: nil, count: 0)
            body = .capfail(.init(type: p.loadUnaligned(as: UInt32.self), syscall: p.loadUnaligned(fromByteOffset: 4, as: Int16.self), data: union))
        case .fault?:
            try need(p, 16, "fault")
            body = .fault(address: p.loadUnaligned(as: UInt64.self), protection: p.loadUnaligned(fromByteOffset: 8, as: Int32.self))
        case .faultend?:
            try need(p, 4, "faultend")
            body = .faultEnd(result: p.loadUnaligned(as: Int32.self))
        case .procctor?, .procdtor?, nil:
            body = .unknown
        }
        return DecodedRecord(header: record.header, offset: record.offset, svFlags: svFlags, body: body)
    }

    private static func need(_ p: UnsafeRawBufferPointer, _ n: Int, _ what: String) throws {
        if p.count < n { throw PayloadError("\(what) payload too short (\(p.count) bytes, need \(n))") }
    }

    static func syscallInfo(_ number: Int, _ svFlags: UInt32) -> DecodedRecord.SyscallInfo {
        let arch = ABIInfo.arch(svFlags: svFlags)
        return .init(number: number, desc: arch.flatMap { Syscalls.lookup($0, number) },
                     decodable: LinuxArch(svFlags: svFlags) != nil)
    }

    /// FreeBSD's ktrstruct checks: NUL-terminated name of letters and `_`, some data.
    static func structure(_ p: UnsafeRawBufferPointer) -> DecodedRecord.StructBody {
        guard let s = try? StructPayload(p), s.data.count > 0,
              s.name.allSatisfy({ isAlpha($0) || $0 == UInt8(ascii: "_") }) else { return .invalid }
        switch LinuxStruct.decode(name: s.name, data: s.data) {
        case .value(let v): return .value(name: s.name, v)
        case .invalid: return .invalid
        case .unknown: return .unknown(name: s.name)
        }
    }

    /// FreeBSD's ktrstructarray checks: NUL-terminated name of letters, digits and `_`.
    static func structArray(_ p: UnsafeRawBufferPointer) throws -> DecodedRecord.StructArrayBody {
        try need(p, Ktr.structArrayFixed, "struct array")
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        guard let s = try? StructArrayPayload(p),
              s.name.allSatisfy({ isAlpha($0) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "_") }) else {
            return .init(name: empty, kind: nil, itemSize: 0, items: empty, valid: false)
        }
        return .init(name: s.name, kind: LinuxStructArrayKind(name: s.name), itemSize: s.structSize, items: s.items, valid: true)
    }

    @inline(__always)
    static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
}
