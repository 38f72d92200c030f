/// Builds whole records (header + payload) into a ByteBuffer. Tests use it to make
/// trace files; the tracer builds its records in pool requests with the same
/// `encode` functions of the payload types.
public struct RecordBuilder {
    public var pid: Int32
    public var tid: Int64
    public var comm: CommName
    public var seconds: Int64
    public var nanoseconds: Int64
    public var cpu: Int32
    public let out: ByteBuffer

    public init(out: ByteBuffer = ByteBuffer(), pid: Int32 = 1, tid: Int64 = 100001, comm: String = "test",
                seconds: Int64 = 1_700_000_000, nanoseconds: Int64 = 0, cpu: Int32 = -1) {
        self.out = out
        self.pid = pid
        self.tid = tid
        self.comm = CommName(comm)
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.cpu = cpu
    }

    /// Appends a record whose payload `fill` writes into `length` bytes.
    public func record(_ type: RecordType, length: Int, dropped: Bool = false,
                       _ fill: (UnsafeMutableRawPointer) -> Void = { _ in }) {
        out.reserve(Ktr.headerSize + length)
        let h = RecordHeader(type: type, length: length, pid: pid, tid: tid, comm: comm,
                             seconds: seconds, nanoseconds: nanoseconds, cpu: cpu, dropped: dropped)
        let start = out.count
        out.append(repeating: 0, count: Ktr.headerSize + length)
        h.encode(into: out.base + start)
        fill(out.base + start + Ktr.headerSize)
    }

    public func raw(_ type: RecordType, _ bytes: [UInt8], dropped: Bool = false) {
        record(type, length: bytes.count, dropped: dropped) { p in
            bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        }
    }

    public func syscall(_ code: Int, _ args: [Int64], dropped: Bool = false) {
        record(.syscall, length: SyscallPayload.size(narg: args.count), dropped: dropped) { p in
            args.withUnsafeBufferPointer { SyscallPayload.encode(into: p, code: code, args: $0) }
        }
    }

    public func sysret(_ code: Int, error: Int32 = 0, retval: Int64 = 0) {
        record(.sysret, length: Ktr.sysretSize) { SysretPayload.encode(into: $0, code: code, error: error, retval: retval) }
    }

    public func namei(_ path: String) { raw(.namei, Array(path.utf8)) }

    public func genio(fd: Int32, rw: Int32, _ data: [UInt8]) {
        record(.genio, length: Ktr.genioFixed + data.count) { p in
            GenioPayload.encodeFixed(into: p, fd: fd, rw: rw)
            data.withUnsafeBytes { if $0.count > 0 { (p + 8).copyMemory(from: $0.baseAddress!, byteCount: data.count) } }
        }
    }

    public func psig(_ signo: Int32, action: UInt64, code: Int32, mask: UInt64) {
        record(.psig, length: Ktr.psigSize) { PsigPayload.encode(into: $0, signo: signo, action: action, code: code, mask: mask) }
    }

    public func procctor(_ svFlags: UInt32 = SVFlags.linux64) {
        record(.procctor, length: 4) { $0.storeBytes(of: svFlags, as: UInt32.self) }
    }

    public func procdtor() { record(.procdtor, length: 0) }

    public func structure(_ name: String, _ data: [UInt8]) { raw(.structure, Array(name.utf8) + [0] + data) }

    public func structArray(_ name: String, itemSize: UInt64, _ data: [UInt8]) {
        var b = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: itemSize) { for i in 0..<8 { b[i] = $0[i] } }
        raw(.structArray, b + Array(name.utf8) + [0] + data)
    }

    public func user(_ data: [UInt8]) { raw(.user, data) }

    public func strings(_ type: RecordType, _ items: [String]) {
        raw(type, items.flatMap { Array($0.utf8) + [0] })
    }
}
