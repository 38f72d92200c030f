import KtraceFormat

/// One named constant: its value and its name as the C headers spell it.
public struct XlatEntry: Sendable {
    public let value: Int64
    public let name: StaticString
}

/// A table of named constants, like strace's xlat/*.in and libsysdecode's name
/// tables. The same table serves enums (exact match) and flag masks (every entry
/// whose bits are all set). Entry order matters for masks: it is the order names
/// are printed in, so multi-bit entries (e.g. S_IRWXU) must come before their parts.
public struct Xlat: Sendable {
    public let entries: [XlatEntry]

    public init(_ pairs: [(Int64, StaticString)]) {
        entries = pairs.map { XlatEntry(value: $0.0, name: $0.1) }
    }

    /// The name of exactly `value`, if any.
    public func name(_ value: Int64) -> StaticString? {
        for e in entries where e.value == value { return e.name }
        return nil
    }

    /// The name of exactly `value` as a String (for JSON and tests).
    public func string(_ value: Int64) -> String? { name(value).map { "\($0)" } }

    // MARK: - Printing (libsysdecode / kdump conventions)

    /// libsysdecode's print_mask_part: appends the names of every entry whose bits
    /// are all set in `value`, joined by `|` (continuing after earlier output when
    /// `printed` is already true). A zero-valued entry is printed only when the whole
    /// value is zero. Returns the bits no entry accounted for.
    @discardableResult
    public func appendFlags(_ value: UInt64, printed: inout Bool, into out: ByteBuffer) -> UInt64 {
        var rem = value
        for e in entries {
            let bits = UInt64(bitPattern: e.value)
            guard bits & rem == bits else { continue }
            if bits == 0 && value != 0 { continue }
            if printed { out.append(byte: UInt8(ascii: "|")) }
            out.append(e.name)
            printed = true
            rem &= ~bits
        }
        return rem
    }

    /// kdump's print_mask_arg: `%#x<NAMES>`, and `<invalid>%u` with the value when
    /// no name matched at all. `zeroIsPlain` gives print_mask_arg0 (a zero value
    /// prints as a bare `0`). Values are C ints: only the low 32 bits count.
    public func appendMaskArg(_ value: Int64, zeroIsPlain: Bool = false, into out: ByteBuffer) {
        let v = UInt64(UInt32(truncatingIfNeeded: value))
        if zeroIsPlain && v == 0 { out.append(byte: UInt8(ascii: "0")); return }
        out.appendAltHex(v)
        out.append(byte: UInt8(ascii: "<"))
        var printed = false
        let rem = appendFlags(v, printed: &printed, into: out)
        out.append(byte: UInt8(ascii: ">"))
        if !printed { Xlat.appendInvalidRemainder(rem, into: out) }
    }

    /// kdump's print_integer_arg: the name, or `<invalid=%#x>` (`<invalid=%d>` with -d).
    /// The value is a C int (low 32 bits).
    public func appendEnumArg(_ value: Int64, decimal: Bool, into out: ByteBuffer) {
        let v = Int64(Int32(truncatingIfNeeded: value))
        if let n = name(v) { out.append(n); return }
        out.append("<invalid=")
        Xlat.appendCInt(v, decimal: decimal, into: out)
        out.append(byte: UInt8(ascii: ">"))
    }

    /// kdump's print_integer_arg_valid: the name, or the number (`%#x`, `%d` with -d).
    public func appendEnumOrNumber(_ value: Int64, decimal: Bool, into out: ByteBuffer) {
        let v = Int64(Int32(truncatingIfNeeded: value))
        if let n = name(v) { out.append(n); return }
        Xlat.appendCInt(v, decimal: decimal, into: out)
    }

    /// `%#x` (or `%d`) of a C int: hex shows the unsigned 32-bit pattern.
    public static func appendCInt(_ v: Int64, decimal: Bool, into out: ByteBuffer) {
        if decimal { out.appendDecimal(Int64(Int32(truncatingIfNeeded: v))) }
        else { out.appendAltHex(UInt64(UInt32(truncatingIfNeeded: v))) }
    }

    /// kdump's `<invalid>%u` suffix for a mask nothing in the table matched.
    public static func appendInvalidRemainder(_ rem: UInt64, into out: ByteBuffer) {
        out.append("<invalid>")
        out.appendDecimal(rem)
    }
}
