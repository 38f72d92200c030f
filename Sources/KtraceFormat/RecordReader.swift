#if canImport(Glibc)
import Glibc
#endif

/// A record that could not be read; `offset` is where its header starts.
public struct FormatError: Error, Equatable, Sendable {
    public let offset: UInt64
    public let message: String
    public init(offset: UInt64, message: String) { self.offset = offset; self.message = message }
}

/// One record as read: the header and its payload. `payload` stays valid until the
/// reader's next call.
public struct Record {
    public var header: RecordHeader
    public var payload: UnsafeRawBufferPointer
    /// Byte offset of the header in the file.
    public var offset: UInt64
}

/// Reads records back to back from a file descriptor (a file, a pipe, standard input).
/// Memory grows only with bytes actually read, never with a length field taken on trust.
public final class RecordReader {
    private let fd: Int32
    private let follow: Bool
    private var buf: UnsafeMutableRawPointer
    private var cap: Int
    private var start = 0    // first unconsumed byte in buf
    private var end = 0      // one past the last valid byte
    private var consumedBefore: UInt64 = 0  // file offset of buf[0]
    private var eof = false
    /// Called while following (`-l`) before sleeping at a partial record, e.g. to flush output.
    public var onWait: (() -> Void)?

    public init(fd: Int32, follow: Bool = false) {
        self.fd = fd
        self.follow = follow
        cap = 1 << 16
        buf = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
    }

    deinit { buf.deallocate() }

    /// Makes at least `n` bytes available after `start`. Returns false at end of input.
    private func fill(_ n: Int) throws -> Bool {
        while end - start < n {
            if start > 0 && (cap - end < n) {
                // Slide the unconsumed tail to the front.
                let live = end - start
                if live > 0 { memmove(buf, buf + start, live) }
                consumedBefore += UInt64(start)
                start = 0
                end = live
            }
            if cap - start < n {
                let newCap = max(cap * 2, n + start)
                let nb = UnsafeMutableRawPointer.allocate(byteCount: newCap, alignment: 16)
                nb.copyMemory(from: buf, byteCount: end)
                buf.deallocate()
                buf = nb
                cap = newCap
            }
            let r = read(fd, buf + end, cap - end)
            if r > 0 { end += r; continue }
            if r < 0 {
                if errno == EINTR { continue }
                throw FormatError(offset: consumedBefore + UInt64(start), message: String(cString: strerror(errno)))
            }
            if !follow { return false }
            onWait?()
            sleep(1)
        }
        return true
    }

    /// The next record, or nil at a clean end of input (end exactly at a record boundary).
    public func next() throws -> Record? {
        let offset = consumedBefore + UInt64(start)
        if try !fill(Ktr.headerV0Size) {
            if end - start == 0 { return nil }
            throw FormatError(offset: offset, message: "truncated record header (\(end - start) of \(Ktr.headerSize) bytes)")
        }
        var header = RecordHeader.decodePrefix(UnsafeRawBufferPointer(start: buf + start, count: Ktr.headerV0Size))
        let hsize = header.headerSize
        if hsize > Ktr.headerV0Size {
            if try !fill(hsize) {
                throw FormatError(offset: offset, message: "truncated record header (\(end - start) of \(hsize) bytes)")
            }
            header.completeV1(UnsafeRawBufferPointer(start: buf + start, count: hsize))
        }
        if header.length < 0 || Int(header.length) > Ktr.maxPayload {
            throw FormatError(offset: offset, message: "bogus length 0x\(String(UInt32(bitPattern: header.length), radix: 16))")
        }
        if header.version > 1 {
            throw FormatError(offset: offset, message: "unsupported record version \(header.version)")
        }
        let len = Int(header.length)
        if try !fill(hsize + len) {
            throw FormatError(offset: offset, message: "truncated record: payload of \(len) bytes, \(end - start - hsize) present")
        }
        let payload = UnsafeRawBufferPointer(start: buf + start + hsize, count: len)
        start += hsize + len
        return Record(header: header, payload: payload, offset: offset)
    }
}
