#if canImport(Glibc)
import Glibc
#endif
import KtraceFormat
import LinuxABI

/// Renders decoded records exactly as FreeBSD's kdump prints them, into one reused
/// buffer. One printer per record type; the shared helpers are at the end.
final class TextRenderer {
    let options: KdumpOptions
    let out: ByteBuffer
    /// GIO wrap width: the terminal width of stderr when fancy, else 80 (FreeBSD asks once).
    private lazy var screenWidth: Int = TextRenderer.terminalWidth(fancy: options.fancy)
    private var elapsedBase: (Int64, Int64)?
    private var previousTime: (Int64, Int64)?

    init(options: KdumpOptions, out: ByteBuffer) {
        self.options = options
        self.out = out
    }

    func render(_ r: DecodedRecord) {
        prefix(r.header, svFlags: r.svFlags)
        switch r.body {
        case .syscall(let s, let info): syscall(s, info)
        case .sysret(let s, let info): sysret(s, info)
        case .namei(let path), .sysctl(let path): quoted(path)
        case .genio(let g): genio(g)
        case .psig(let p): psig(p)
        case .csw(let c): csw(c)
        case .user(let data): user(data)
        case .structure(let s): structure(s)
        case .structArray(let a): structArray(a)
        case .strings(let p): strings(p)
        case .capfail(let c): capfail(c, svFlags: r.svFlags)
        case .fault(let address, let prot): fault(address, prot)
        case .faultEnd(let result): faultEnd(result)
        case .unknown: out.append(byte: 10)
        }
    }

    // MARK: - Header

    /// `Events dropped.` line: pid, (tid), comm, as FreeBSD prints it before filtering.
    func dropped(_ h: RecordHeader) {
        pidColumns(h)
        out.append("Events dropped.\n")
    }

    private func pidColumns(_ h: RecordHeader) {
        out.appendDecimal(Int64(h.pid), width: 6)
        out.append(byte: 32)
        if options.threads {
            out.appendDecimal(h.tid > 0 ? Int64(Int32(truncatingIfNeeded: h.tid)) : 0, width: 6)
            out.append(byte: 32)
        }
        let start = out.count
        h.comm.withBytes { out.append(UnsafeRawBufferPointer(rebasing: $0.prefix(Ktr.commSize - 1))) }
        out.append(repeating: 32, count: 8 - (out.count - start))
        out.append(byte: 32)
    }

    private func prefix(_ h: RecordHeader, svFlags: UInt32) {
        pidColumns(h)
        if !options.timestamps.isEmpty { timestamps(h) }
        if options.showCPU && h.version > 0 {
            out.appendDecimal(Int64(h.cpu), width: 3)
            out.append(byte: 32)
        }
        out.appendName(TextRenderer.typeColumn(h.type), orNumber: Int64(h.type), "UNKNOWN(", ")")
        out.append("  ")
        if options.showABI {
            out.append(ABIInfo.label(svFlags: svFlags))
            out.append("  ")
        }
    }

    /// The 4-character type column; nil for types kdump does not know.
    static func typeColumn(_ type: UInt16) -> StaticString? {
        switch RecordType(rawValue: type) {
        case .syscall?: return "CALL"
        case .sysret?: return "RET "
        case .namei?: return "NAMI"
        case .genio?: return "GIO "
        case .psig?: return "PSIG"
        case .csw?: return "CSW "
        case .user?: return "USER"
        case .structure?, .structArray?: return "STRU"
        case .sysctl?: return "SCTL"
        case .capfail?: return "CAP "
        case .fault?: return "PFLT"
        case .faultend?: return "PRET"
        case .args?: return "ARGS"
        case .envs?: return "ENVS"
        case .procctor?, .procdtor?, nil: return nil
        }
    }

    /// Absolute, elapsed and relative stamps, in that order; v0 headers carry microseconds.
    private func timestamps(_ h: RecordHeader) {
        let unit: Int64 = h.version > 0 ? 1_000_000_000 : 1_000_000
        let digits = h.version > 0 ? 9 : 6
        let now = (h.seconds, h.subseconds)
        if options.timestamps.contains(.absolute) { stamp(now, digits: digits) }
        if options.timestamps.contains(.elapsed) {
            if elapsedBase == nil || elapsedBase!.0 == 0 { elapsedBase = now }
            stamp(subtract(now, elapsedBase!, unit), digits: digits)
        }
        if options.timestamps.contains(.relative) {
            if previousTime == nil || previousTime!.0 == 0 { previousTime = now }
            let prev = previousTime!
            if now.0 < prev.0 || (now.0 == prev.0 && now.1 < prev.1) {
                out.append(byte: UInt8(ascii: "-"))
                stamp(subtract(prev, now, unit), digits: digits)
            } else {
                stamp(subtract(now, prev, unit), digits: digits)
            }
            previousTime = now
        }
    }

    private func subtract(_ a: (Int64, Int64), _ b: (Int64, Int64), _ unit: Int64) -> (Int64, Int64) {
        var s = a.0 &- b.0, f = a.1 &- b.1
        if f < 0 { s -= 1; f += unit }
        return (s, f)
    }

    private func stamp(_ t: (Int64, Int64), digits: Int) {
        out.appendDecimal(t.0)
        out.append(byte: UInt8(ascii: "."))
        out.appendZeroPadded(t.1, digits: digits)
        out.append(byte: 32)
    }

    // MARK: - Record printers

    private func syscallName(_ info: DecodedRecord.SyscallInfo) {
        if let name = info.name {
            out.append(name)
            if options.syscallNumbers { bracketed(info.number) }
        } else {
            bracketed(info.number)
        }
    }

    private func bracketed(_ n: Int) {
        out.append(byte: UInt8(ascii: "["))
        out.appendDecimal(Int64(n))
        out.append(byte: UInt8(ascii: "]"))
    }

    private func syscall(_ s: SyscallPayload, _ info: DecodedRecord.SyscallInfo) {
        syscallName(info)
        if s.count > 0 {
            out.append(byte: UInt8(ascii: "("))
            let symbolic = options.fancy && info.decodable
            for i in 0..<s.count {
                if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                if symbolic {
                    ArgumentFormatter.append(info.desc, args: s, index: i, fancy: true, decimal: options.decimal, into: out)
                } else {
                    number(s[i])
                }
            }
            out.append(byte: UInt8(ascii: ")"))
        }
        out.append(byte: 10)
    }

    private func sysret(_ s: SysretPayload, _ info: DecodedRecord.SyscallInfo) {
        syscallName(info)
        out.append(byte: 32)
        switch s.error {
        case 0:
            if options.fancy {
                out.appendDecimal(s.retval)
                if s.retval < 0 || s.retval > 9 {
                    out.append(byte: UInt8(ascii: "/"))
                    out.appendAltHex(UInt64(bitPattern: s.retval))
                }
            } else {
                number(s.retval)
            }
        case SysretPayload.restart: out.append("RESTART")
        case SysretPayload.justReturn: out.append("JUSTRETURN")
        default:
            out.append("-1 errno ")
            out.appendDecimal(Int64(s.error))
            if options.fancy {
                out.append(byte: 32)
                if let text = LinuxErrno.staticText(s.error) { out.append(text) } else { out.append(errnoText(s.error)) }
            }
        }
        out.append(byte: 10)
    }

    private func quoted(_ p: UnsafeRawBufferPointer) {
        out.append(byte: UInt8(ascii: "\""))
        out.append(p)
        out.append("\"\n")
    }

    private func genio(_ g: GenioPayload) {
        out.append("fd ")
        out.appendDecimal(Int64(g.fd))
        out.append(g.rw == GenioPayload.read ? " read " : " wrote ")
        out.appendDecimal(Int64(g.data.count))
        out.append(g.data.count == 1 ? " byte\n" : " bytes\n")
        if options.suppressData { return }
        let data = options.maxData > 0 && g.data.count > options.maxData
            ? UnsafeRawBufferPointer(rebasing: g.data[0..<options.maxData]) : g.data
        if isBinary(data) { hexdump(data) } else { visdump(data) }
    }

    private func psig(_ p: PsigPayload) {
        out.appendSignal(p.signo)
        if p.action == PsigPayload.sigDFL {
            out.append(" SIG_DFL")
        } else if p.action == PsigPayload.sigIGN {
            // FreeBSD never delivers an ignored signal; Linux does to a traced process.
            out.append(" SIG_IGN")
        } else {
            out.append(" caught handler=0x")
            out.appendHexDigits(p.action)
            out.append(" mask=0x")
            out.appendHexDigits(UInt64(p.mask.0))
        }
        out.append(" code=")
        if let name = LinuxSignals.codeName(signal: p.signo, code: p.code) {
            out.append(name)
        } else {
            out.append("<invalid=")
            out.appendAltHex(UInt64(UInt32(bitPattern: p.code)))
            out.append(">")
        }
        out.append(byte: 10)
    }

    private func csw(_ c: CswPayload) {
        out.append(c.out != 0 ? "stop " : "resume ")
        out.append(c.user != 0 ? "user" : "kernel")
        if c.wmesg.baseAddress != nil {
            out.append(" \"")
            out.append(c.wmesg)
            out.append(byte: UInt8(ascii: "\""))
        }
        out.append(byte: 10)
    }

    private func user(_ data: UnsafeRawBufferPointer) {
        out.appendDecimal(Int64(data.count))
        out.append(byte: 32)
        for b in data {
            out.append(byte: 32)
            if options.decimal { out.appendDecimal(Int64(b)) } else { out.appendHexDigits(UInt64(b), minDigits: 2) }
        }
        out.append(byte: 10)
    }

    private func structure(_ s: DecodedRecord.StructBody) {
        switch s {
        case .invalid: out.append("invalid record\n")
        case .unknown: out.append("unknown structure\n")
        case .value(_, let v):
            StructText(out: out, options: options).append(v)
            out.append(byte: 10)
        }
    }

    private func structArray(_ a: DecodedRecord.StructArrayBody) {
        guard a.valid else { out.append("invalid record\n"); return }
        out.append("struct ")
        out.append(a.name)
        out.append("[] = { ")
        let text = StructText(out: out, options: options)
        for i in 0..<a.itemCount {
            if i > 0 { out.append("\n             ") }
            guard let kind = a.kind else { out.append("<unknown structure> }\n"); return }
            guard UInt64(kind.itemSize) == a.itemSize else { out.append("<bad size> }\n"); return }
            text.append(kind.item(a.item(i)))
        }
        out.append(" }\n")
    }

    /// ARGS / ENVS: `"a", "b"`.
    private func strings(_ p: UnsafeRawBufferPointer) {
        var first = true
        _ = forEachCString(p) { s in
            if !first { out.append(", ") }
            first = false
            out.append(byte: UInt8(ascii: "\""))
            out.append(s)
            out.append(byte: UInt8(ascii: "\""))
        }
        out.append(byte: 10)
    }

    /// FreeBSD's ktrcapfail wording; capability rights are shown as numbers (Linux has none).
    private func capfail(_ c: DecodedRecord.CapfailBody, svFlags: UInt32) {
        let info = RecordDecoder.syscallInfo(Int(c.syscall), svFlags)
        switch c.type {
        case 0: out.append("operation requires rights the descriptor does not hold")
        case 1: out.append("attempt to increase capabilities")
        case 2:
            out.append("system call not allowed: ")
            syscallName(info)
        default:
            syscallName(info)
            switch c.type {
            case 3:
                out.append(": signal delivery not allowed: ")
                out.appendSignal(c.int ?? 0)
            case 4:
                out.append(": protocol not allowed: ")
                out.appendDecimal(Int64(c.int ?? 0))
            case 5: out.append(": restricted address lookup")
            case 6:
                out.append(": restricted VFS lookup: ")
                out.append(c.path)
            case 7: out.append(": restricted cpuset operation")
            default: out.append(": unknown capability failure")
            }
        }
        out.append(byte: 10)
    }

    private func fault(_ address: UInt64, _ prot: Int32) {
        out.append("0x")
        out.appendHexDigits(address)
        out.append(byte: 32)
        out.appendAltHex(UInt64(UInt32(bitPattern: prot)))
        out.append(byte: 10)
    }

    private func faultEnd(_ result: Int32) {
        out.appendName(result == 0 ? "KERN_SUCCESS" : nil, orNumber: Int64(result), "<invalid=", ">")
        out.append(byte: 10)
    }

    // MARK: - GIO data

    /// FreeBSD's test: any byte outside printable ASCII other than NL, CR, NUL, TAB.
    private func isBinary(_ d: UnsafeRawBufferPointer) -> Bool {
        d.contains { b in !((b >= 32 && b < 127) || b == 10 || b == 13 || b == 0 || b == 9) }
    }

    /// Bytes per hexdump line: the largest even width whose line fits the screen.
    private var hexWidth: Int {
        var w = 0, cols = 0
        repeat {
            w += 2
            cols = 13 + (w / 2 + 1) + w * 2 + 3 + w + 1
        } while cols < screenWidth
        return w - 2
    }

    private func hexdump(_ d: UnsafeRawBufferPointer) {
        let width = max(hexWidth, 2)
        var n = 0
        while n < d.count {
            out.append("       0x")
            out.appendHexDigits(UInt64(n), minDigits: 4)
            for i in n..<(n + width) {
                if i % 2 == 0 { out.append(byte: 32) }
                if i < d.count { out.appendHexDigits(UInt64(d[i]), minDigits: 2) } else { out.append("  ") }
            }
            out.append("  |")
            for i in n..<min(n + width, d.count) {
                out.append(byte: d[i] >= 0x20 && d[i] <= 0x7e ? d[i] : UInt8(ascii: "."))
            }
            out.append("|\n")
            n += width
        }
        if d.count % width != 0 { out.append(byte: 10) }
    }

    /// Quoted text folded at the screen width, continuation lines indented by a TAB.
    private func visdump(_ d: UnsafeRawBufferPointer) {
        out.append("       \"")
        var col = 8
        for i in 0..<d.count {
            let b = d[i]
            if col == 0 { out.append(byte: 9); col = 8 }
            if b == 10 { col = 0; out.append(byte: 10); continue }
            let next: UInt8 = i + 1 < d.count ? d[i + 1] : 0
            let width = b == 9 ? 8 - (col & 7) : visWidth(b, next: next)
            if col + width > screenWidth - 2 {
                out.append("\\\n\t")
                col = 8
            }
            col += width
            appendVis(b, next: next)
        }
        if col == 0 { out.append("       ") }
        out.append("\"\n")
    }

    /// vis(3) with VIS_CSTYLE for the bytes visdump can meet (text only).
    private func visWidth(_ b: UInt8, next: UInt8) -> Int {
        switch b {
        case 0: return next >= 48 && next <= 55 ? 4 : 2
        case 13, 92: return 2
        default: return 1
        }
    }

    private func appendVis(_ b: UInt8, next: UInt8) {
        switch b {
        case 0: out.append(next >= 48 && next <= 55 ? "\\000" : "\\0")
        case 13: out.append("\\r")
        case 92: out.append("\\\\")
        default: out.append(byte: b)
        }
    }

    // MARK: - Shared helpers

    /// FreeBSD's print_number: `%#jx`, or `%jd` with -d.
    func number(_ v: Int64) {
        if options.decimal { out.appendDecimal(v) } else { out.appendAltHex(UInt64(bitPattern: v)) }
    }

    static func terminalWidth(fancy: Bool) -> Int {
        var ws = winsize()
        if fancy && ioctl(2, UInt(TIOCGWINSZ), &ws) != -1 && ws.ws_col > 8 { return Int(ws.ws_col) }
        return 80
    }
}

/// strerror for a Linux errno, as glibc words it; unknown numbers as glibc prints them.
func errnoText(_ e: Int32) -> String {
    LinuxErrno.text(e) ?? "Unknown error \(e)"
}
