/// The thread name carried in every header: 20 bytes, NUL padded. A fixed tuple so
/// that copying it never allocates.
public struct CommName: Equatable, Sendable {
    public var bytes: (UInt64, UInt64, UInt32) = (0, 0, 0)

    public init() {}

    /// From raw bytes (at most 19 are kept; the 20th is always NUL).
    public init(_ raw: UnsafeRawBufferPointer) {
        withUnsafeMutableBytes(of: &bytes) { dst in
            let n = min(raw.count, Ktr.commSize - 1)
            for i in 0..<n {
                let b = raw[i]
                if b == 0 { break }
                dst[i] = b
            }
        }
    }

    public init(_ s: String) {
        var s = s
        self = s.withUTF8 { CommName(UnsafeRawBufferPointer($0)) }
    }

    public static func == (a: CommName, b: CommName) -> Bool {
        a.bytes.0 == b.bytes.0 && a.bytes.1 == b.bytes.1 && a.bytes.2 == b.bytes.2
    }

    /// Length up to the first NUL (at most 20, as a v0 record from another writer may not be terminated).
    public var length: Int {
        withUnsafeBytes(of: bytes) { raw in raw.firstIndex(of: 0) ?? Ktr.commSize }
    }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: bytes) { raw in try body(UnsafeRawBufferPointer(rebasing: raw[0..<length])) }
    }

    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}

/// `struct ktr_header` (v1, 64 bytes) or `struct ktr_header_v0` (56 bytes, timeval).
public struct RecordHeader: Equatable, Sendable {
    /// Payload length (`ktr_len`).
    public var length: Int32
    /// The bare record type, with KTR_VERSIONED and KTR_DROP removed.
    public var type: UInt16
    /// KTR_DROP was set: events were lost before this record.
    public var dropped: Bool
    /// 1 for versioned records, 0 for the old 56-byte header.
    public var version: Int16
    public var pid: Int32
    public var comm: CommName
    public var seconds: Int64
    /// Nanoseconds for v1 records, microseconds for v0 (as stored).
    public var subseconds: Int64
    public var tid: Int64
    /// -1 when unknown; absent (0) in v0 records.
    public var cpu: Int32

    public init(type: RecordType, length: Int, pid: Int32, tid: Int64, comm: CommName,
                seconds: Int64, nanoseconds: Int64, cpu: Int32 = -1, dropped: Bool = false) {
        self.length = Int32(length)
        self.type = type.rawValue
        self.dropped = dropped
        self.version = Ktr.version1
        self.pid = pid
        self.comm = comm
        self.seconds = seconds
        self.subseconds = nanoseconds
        self.tid = tid
        self.cpu = cpu
    }

    public var recordType: RecordType? { RecordType(rawValue: type) }
    public var headerSize: Int { version > 0 ? Ktr.headerSize : Ktr.headerV0Size }

    /// Writes the 64-byte v1 header at `p`.
    public func encode(into p: UnsafeMutableRawPointer) {
        p.initializeMemory(as: UInt8.self, repeating: 0, count: Ktr.headerSize)
        p.storeBytes(of: length, toByteOffset: 0, as: Int32.self)
        p.storeBytes(of: type | Ktr.versioned | (dropped ? Ktr.drop : 0), toByteOffset: 4, as: UInt16.self)
        p.storeBytes(of: version, toByteOffset: 6, as: Int16.self)
        p.storeBytes(of: pid, toByteOffset: 8, as: Int32.self)
        withUnsafeBytes(of: comm.bytes) { (p + 12).copyMemory(from: $0.baseAddress!, byteCount: Ktr.commSize) }
        p.storeBytes(of: seconds, toByteOffset: 32, as: Int64.self)
        p.storeBytes(of: subseconds, toByteOffset: 40, as: Int64.self)
        p.storeBytes(of: tid, toByteOffset: 48, as: Int64.self)
        p.storeBytes(of: cpu, toByteOffset: 56, as: Int32.self)
    }

    /// Decodes the first 56 bytes, which both header versions share in size; `needsMore`
    /// tells whether 8 more bytes follow (v1). Call `completeV1` with the full 64 bytes.
    public static func decodePrefix(_ raw: UnsafeRawBufferPointer) -> RecordHeader {
        precondition(raw.count >= Ktr.headerV0Size)
        let rawType = raw.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        let isV1 = rawType & Ktr.versioned != 0
        var h = RecordHeader(type: .syscall, length: 0, pid: 0, tid: 0, comm: CommName(), seconds: 0, nanoseconds: 0)
        h.length = raw.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        h.type = rawType & ~(Ktr.versioned | Ktr.drop)
        h.dropped = rawType & Ktr.drop != 0
        h.version = isV1 ? raw.loadUnaligned(fromByteOffset: 6, as: Int16.self) : 0
        h.pid = raw.loadUnaligned(fromByteOffset: 8, as: Int32.self)
        h.comm = CommName(UnsafeRawBufferPointer(rebasing: raw[12..<32]))
        h.seconds = raw.loadUnaligned(fromByteOffset: 32, as: Int64.self)
        h.subseconds = raw.loadUnaligned(fromByteOffset: 40, as: Int64.self)
        h.tid = raw.loadUnaligned(fromByteOffset: 48, as: Int64.self)
        h.cpu = 0
        return h
    }

    /// True if the raw type word announces a 64-byte v1 header.
    public static func isVersioned(_ raw: UnsafeRawBufferPointer) -> Bool {
        raw.loadUnaligned(fromByteOffset: 4, as: UInt16.self) & Ktr.versioned != 0
    }

    public mutating func completeV1(_ raw: UnsafeRawBufferPointer) {
        cpu = raw.loadUnaligned(fromByteOffset: 56, as: Int32.self)
    }
}
