#if canImport(Glibc)
import Glibc
#endif

/// A growable byte buffer reused across records: kdump renders text into one, tests
/// build records in one. Appending never allocates once the capacity is reached.
public final class ByteBuffer {
    public private(set) var base: UnsafeMutableRawPointer
    public private(set) var count = 0
    private var capacity: Int

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    public var array: [UInt8] { Array(bytes) }
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public func removeAll() { count = 0 }

    /// Drops the last `n` bytes (a renderer that started a column it then abandons).
    public func truncate(to n: Int) { count = min(count, max(0, n)) }

    @inline(__always)
    public func reserve(_ n: Int) {
        if count + n <= capacity { return }
        var c = capacity * 2
        while c < count + n { c *= 2 }
        let nb = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 16)
        nb.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = nb
        capacity = c
    }

    @inline(__always)
    public func append(byte b: UInt8) {
        reserve(1)
        base.storeBytes(of: b, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    public func append(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public func append(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        reserve(raw.count)
        (base + count).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        count += raw.count
    }

    public func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func append(repeating b: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).initializeMemory(as: UInt8.self, repeating: b, count: n)
        count += n
    }

    /// Appends a little-endian (host order) value of a fixed-width integer type.
    public func appendValue<T: FixedWidthInteger>(_ v: T) {
        reserve(MemoryLayout<T>.size)
        (base + count).storeBytes(of: v, as: T.self)
        count += MemoryLayout<T>.size
    }

    /// `%d` (optionally right-aligned in `width`, `%*d`; negative width left-aligns).
    public func appendDecimal(_ v: Int64, width: Int = 0) {
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let len = withUnsafeMutableBytes(of: &tmp) { t -> Int in
            var u = v < 0 ? UInt64(bitPattern: 0 &- v) : UInt64(v)
            var i = 24
            repeat { i -= 1; t[i] = UInt8(48 + u % 10); u /= 10 } while u > 0
            if v < 0 { i -= 1; t[i] = 45 }
            let n = 24 - i
            if width > n { append(repeating: 32, count: width - n) }
            append(UnsafeRawBufferPointer(rebasing: t[i..<24]))
            return n
        }
        if width < 0 && -width > len { append(repeating: 32, count: -width - len) }
    }

    public func appendDecimal(_ v: UInt64) {
        if v <= UInt64(Int64.max) { appendDecimal(Int64(v)); return }
        appendDecimal(Int64(v / 10)); append(byte: UInt8(48 + v % 10))
    }

    /// Lower-case hex digits, no prefix, at least `minDigits` digits.
    public func appendHexDigits(_ v: UInt64, minDigits: Int = 1) {
        var tmp: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &tmp) { t in
            var u = v
            var i = 16
            repeat {
                i -= 1
                let d = UInt8(u & 0xf)
                t[i] = d < 10 ? 48 + d : 87 + d
                u >>= 4
            } while u > 0 || 16 - i < minDigits
            append(UnsafeRawBufferPointer(rebasing: t[i..<16]))
        }
    }

    /// C's `%#jx`: `0x` prefix except for zero, which prints as `0`.
    public func appendAltHex(_ v: UInt64) {
        if v == 0 { append(byte: 48); return }
        append("0x")
        appendHexDigits(v)
    }

    /// C's `%#o`: leading 0 except for zero.
    public func appendAltOctal(_ v: UInt64) {
        if v == 0 { append(byte: 48); return }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { t in
            var u = v
            var i = 24
            repeat { i -= 1; t[i] = UInt8(48 + (u & 7)); u >>= 3 } while u > 0
            i -= 1; t[i] = 48
            append(UnsafeRawBufferPointer(rebasing: t[i..<24]))
        }
    }

    /// Writes everything to `fd` and empties the buffer. Returns false on a write error.
    @discardableResult
    public func flush(to fd: Int32) -> Bool {
        var off = 0
        while off < count {
            let r = write(fd, base + off, count - off)
            if r < 0 { if errno == EINTR { continue }; count = 0; return false }
            off += r
        }
        count = 0
        return true
    }
}
