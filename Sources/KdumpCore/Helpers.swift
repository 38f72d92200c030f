import KtraceFormat
import LinuxABI

extension ByteBuffer {
    /// C's `%0*ld`: zero-padded to `digits` (negative values unpadded, as they never occur).
    func appendZeroPadded(_ v: Int64, digits: Int) {
        if v < 0 { appendDecimal(v); return }
        var n = 1, x = v
        while x >= 10 { x /= 10; n += 1 }
        append(repeating: 48, count: digits - n)
        appendDecimal(v)
    }

    /// FreeBSD's print_signal: the name, or `SIG %d`.
    func appendSignal(_ sig: Int32) {
        if let name = LinuxSignals.name(sig) {
            append(name)
        } else {
            append("SIG ")
            appendDecimal(Int64(sig))
        }
    }

    /// `name`, or the number wrapped as `prefix N suffix` (FreeBSD's `<invalid=%d>`, `UNKNOWN(%d)`).
    func appendName(_ name: StaticString?, orNumber value: Int64, _ prefix: StaticString, _ suffix: StaticString) {
        if let name {
            append(name)
        } else {
            append(prefix)
            appendDecimal(value)
            append(suffix)
        }
    }
}
