import KtraceFormat
import LinuxABI

/// Renders decoded records as JSON Lines: one object per record with every header
/// field and every decoded field (schema in man/kdump.1). Symbolic argument text is
/// produced by the same LinuxABI formatter the text renderer uses.
final class JSONRenderer {
    let options: KdumpOptions
    let out: ByteBuffer
    /// Scratch space for symbolic text that then goes into a JSON string.
    private let scratch = ByteBuffer(capacity: 256)
    private var needsComma = false

    init(options: KdumpOptions, out: ByteBuffer) {
        self.options = options
        self.out = out
    }

    func render(_ r: DecodedRecord) {
        let h = r.header
        out.append(byte: UInt8(ascii: "{"))
        needsComma = false
        int("offset", Int64(r.offset))
        str("type", typeName(h.type))
        int("type_number", Int64(h.type))
        bool("dropped", h.dropped)
        int("version", Int64(h.version))
        int("pid", Int64(h.pid))
        int("tid", h.tid)
        key("comm"); h.comm.withBytes { string($0) }
        key("time")
        out.append("{\"sec\":"); out.appendDecimal(h.seconds)
        out.append(h.version > 0 ? ",\"nsec\":" : ",\"usec\":"); out.appendDecimal(h.subseconds)
        out.append(byte: UInt8(ascii: "}"))
        int("cpu", Int64(h.cpu))
        str("abi", "\(ABIInfo.label(svFlags: r.svFlags))")
        body(r)
        out.append("}\n")
    }

    private func typeName(_ type: UInt16) -> String {
        guard let column = TextRenderer.typeColumn(type) else { return "UNKNOWN(\(type))" }
        return "\(column)".trimmingTrailingSpaces
    }

    private func body(_ r: DecodedRecord) {
        switch r.body {
        case .syscall(let s, let info):
            syscallName(info)
            key("args"); list(0..<s.count) { self.out.appendDecimal(s[$0]) }
            key("args_text")
            list(0..<s.count) { i in
                self.symbolic { b in
                    if info.decodable {
                        ArgumentFormatter.append(info.desc, args: s, index: i, fancy: true, decimal: self.options.decimal, into: b)
                    } else {
                        b.appendAltHex(UInt64(bitPattern: s[i]))
                    }
                }
            }
        case .sysret(let s, let info):
            syscallName(info)
            int("error", Int64(s.error))
            switch s.error {
            case 0: int("retval", s.retval)
            case SysretPayload.restart: str("pseudo_error", "RESTART")
            case SysretPayload.justReturn: str("pseudo_error", "JUSTRETURN")
            default:
                if let name = LinuxErrno.name(s.error) { str("errno_name", name) } else { null("errno_name") }
                str("errno_text", errnoText(s.error))
            }
        case .namei(let p): key("path"); string(p)
        case .sysctl(let p): key("name"); string(p)
        case .genio(let g):
            int("fd", Int64(g.fd))
            str("direction", g.rw == GenioPayload.read ? "read" : "write")
            int("length", Int64(g.data.count))
            if !options.suppressData {
                data(options.maxData > 0 && g.data.count > options.maxData
                     ? UnsafeRawBufferPointer(rebasing: g.data[0..<options.maxData]) : g.data)
            }
        case .psig(let p):
            int("signal", Int64(p.signo))
            if let n = LinuxSignals.name(p.signo) { str("signal_name", n) } else { null("signal_name") }
            switch p.action {
            case PsigPayload.sigDFL: str("action", "SIG_DFL")
            case PsigPayload.sigIGN: str("action", "SIG_IGN")
            default: str("action", "caught")
            }
            int("handler", Int64(bitPattern: p.action))
            int("code", Int64(p.code))
            if let n = LinuxSignals.codeName(signal: p.signo, code: p.code) { str("code_name", n) } else { null("code_name") }
            int("mask", Int64(bitPattern: UInt64(p.mask.0) | UInt64(p.mask.1) << 32))
        case .csw(let c):
            str("switch", c.out != 0 ? "stop" : "resume")
            str("mode", c.user != 0 ? "user" : "kernel")
            if c.wmesg.baseAddress != nil { key("wmesg"); string(c.wmesg) }
        case .user(let d):
            int("length", Int64(d.count))
            data(d)
        case .structure(let s):
            switch s {
            case .invalid: bool("invalid", true)
            case .unknown(let name): key("struct"); string(name); bool("unknown", true)
            case .value(let name, let v):
                key("struct"); string(name)
                key("fields"); StructJSON(json: self).append(v)
            }
        case .structArray(let a):
            guard a.valid else { bool("invalid", true); return }
            key("struct"); string(a.name)
            int("item_size", Int64(bitPattern: a.itemSize))
            if let kind = a.kind, UInt64(kind.itemSize) == a.itemSize {
                key("items")
                list(0..<a.itemCount) { StructJSON(json: self).append(kind.item(a.item($0))) }
            } else {
                bool(a.kind == nil ? "unknown" : "bad_size", true)
            }
        case .strings(let p):
            key("strings")
            out.append(byte: UInt8(ascii: "["))
            var first = true
            _ = forEachCString(p) { s in
                if !first { self.out.append(byte: UInt8(ascii: ",")) }
                first = false
                self.string(s)
            }
            out.append(byte: UInt8(ascii: "]"))
        case .capfail(let c):
            int("cap_type", Int64(c.type))
            let names = DecodedRecord.CapfailBody.typeNames
            if Int(c.type) < names.count { str("cap_type_name", names[Int(c.type)]) }
            syscallName(RecordDecoder.syscallInfo(Int(c.syscall), r.svFlags))
        case .fault(let address, let prot):
            int("address", Int64(bitPattern: address))
            int("protection", Int64(prot))
        case .faultEnd(let result):
            int("result", Int64(result))
        case .unknown:
            int("length", Int64(r.header.length))
        }
    }

    private func syscallName(_ info: DecodedRecord.SyscallInfo) {
        int("syscall_number", Int64(info.number))
        if let name = info.name { str("syscall", name) } else { null("syscall") }
    }

    /// GIO/USER data: UTF-8 text when it is printable, else base64.
    private func data(_ d: UnsafeRawBufferPointer) {
        let printable = !d.contains { $0 < 32 && $0 != 9 && $0 != 10 && $0 != 13 || $0 == 127 }
        if printable, let text = String(validating: d, as: UTF8.self) {
            str("encoding", "utf8")
            str("data", text)
        } else {
            str("encoding", "base64")
            key("data")
            out.append(byte: UInt8(ascii: "\""))
            base64(d)
            out.append(byte: UInt8(ascii: "\""))
        }
    }

    // MARK: - JSON writing helpers (used by StructJSON too)

    func key(_ k: StaticString) {
        if needsComma { out.append(byte: UInt8(ascii: ",")) }
        needsComma = true
        out.append(byte: UInt8(ascii: "\""))
        out.append(k)
        out.append("\":")
    }

    func int(_ k: StaticString, _ v: Int64) { key(k); out.appendDecimal(v) }
    func uint(_ k: StaticString, _ v: UInt64) { key(k); out.appendDecimal(v) }
    func bool(_ k: StaticString, _ v: Bool) { key(k); out.append(v ? "true" : "false") }
    func null(_ k: StaticString) { key(k); out.append("null") }
    func str(_ k: StaticString, _ v: String) {
        key(k)
        var v = v
        v.withUTF8 { string(UnsafeRawBufferPointer($0)) }
    }

    /// An object whose members `fill` writes with the key helpers.
    func object(_ fill: () -> Void) {
        out.append(byte: UInt8(ascii: "{"))
        let outer = needsComma
        needsComma = false
        fill()
        needsComma = outer
        out.append(byte: UInt8(ascii: "}"))
    }

    func list(_ range: Range<Int>, _ element: (Int) -> Void) {
        out.append(byte: UInt8(ascii: "["))
        for i in range {
            if i > range.lowerBound { out.append(byte: UInt8(ascii: ",")) }
            element(i)
        }
        out.append(byte: UInt8(ascii: "]"))
    }

    /// Writes what `fill` renders into the scratch buffer as a JSON string.
    func symbolic(_ fill: (ByteBuffer) -> Void) {
        scratch.removeAll()
        fill(scratch)
        string(scratch.bytes)
    }

    /// A JSON string of bytes: valid UTF-8 passes through, invalid bytes become U+FFFD.
    func string(_ bytes: UnsafeRawBufferPointer) {
        out.append(byte: UInt8(ascii: "\""))
        let clean = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != 0x22 && $0 != 0x5c }
        if clean {
            out.append(bytes)
        } else {
            for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars { escaped(scalar) }
        }
        out.append(byte: UInt8(ascii: "\""))
    }

    private func escaped(_ c: Unicode.Scalar) {
        switch c {
        case "\"": out.append("\\\"")
        case "\\": out.append("\\\\")
        case "\n": out.append("\\n")
        case "\r": out.append("\\r")
        case "\t": out.append("\\t")
        default:
            if c.value < 0x20 || c.value == 0x7f {
                out.append("\\u")
                out.appendHexDigits(UInt64(c.value), minDigits: 4)
            } else {
                out.append(String(c))
            }
        }
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private func base64(_ d: UnsafeRawBufferPointer) {
        let a = JSONRenderer.base64Alphabet
        var i = 0
        while i < d.count {
            let n = min(3, d.count - i)
            let b0 = UInt32(d[i]), b1 = n > 1 ? UInt32(d[i + 1]) : 0, b2 = n > 2 ? UInt32(d[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(byte: a[Int(v >> 18 & 63)])
            out.append(byte: a[Int(v >> 12 & 63)])
            out.append(byte: n > 1 ? a[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(byte: n > 2 ? a[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
    }
}

/// Struct fields as JSON objects.
struct StructJSON {
    let json: JSONRenderer

    func append(_ s: LinuxStruct) {
        json.object {
            switch s {
            case .stat(let st):
                json.uint("dev", st.dev); json.uint("ino", st.ino); json.uint("mode", UInt64(st.mode))
                json.uint("nlink", st.nlink); json.uint("uid", UInt64(st.uid)); json.uint("gid", UInt64(st.gid))
                json.uint("rdev", st.rdev)
                time("atime", st.atime); time("mtime", st.mtime); time("ctime", st.ctime)
                json.int("size", st.size); json.int("blksize", st.blksize); json.int("blocks", st.blocks)
            case .statx(let st):
                json.uint("mask", UInt64(st.mask)); json.uint("dev", st.dev); json.uint("ino", st.ino)
                json.uint("mode", UInt64(st.mode)); json.uint("nlink", UInt64(st.nlink))
                json.uint("uid", UInt64(st.uid)); json.uint("gid", UInt64(st.gid)); json.uint("rdev", st.rdev)
                time("atime", st.atime); time("btime", st.btime); time("ctime", st.ctime); time("mtime", st.mtime)
                json.uint("size", st.size); json.uint("blksize", UInt64(st.blksize)); json.uint("blocks", st.blocks)
                json.uint("attributes", st.attributes)
            case .sockaddr(let sa): sockaddr(sa)
            case .timespec(let t): json.int("sec", t.seconds); json.int("nsec", t.fraction)
            case .itimerval(let it):
                json.key("interval"); json.object { json.int("sec", it.interval.seconds); json.int("usec", it.interval.fraction) }
                json.key("value"); json.object { json.int("sec", it.value.seconds); json.int("usec", it.value.fraction) }
            case .rlimit(let rl): json.uint("cur", rl.current); json.uint("max", rl.maximum)
            case .sigaction(let sa):
                json.uint("handler", sa.handler); json.uint("flags", sa.flags)
                json.uint("restorer", sa.restorer); json.uint("mask", sa.mask)
            case .sigset(let set): json.uint("bits", set.bits); signals(set)
            }
        }
    }

    func append(_ item: LinuxStructArrayKind.Item) {
        json.object {
            switch item {
            case .pollfd(let p):
                json.int("fd", Int64(p.fd))
                json.uint("events", UInt64(UInt16(bitPattern: p.events)))
                json.uint("revents", UInt64(UInt16(bitPattern: p.revents)))
            case .epollEvent(let e):
                json.uint("events", UInt64(e.events)); json.uint("data", e.data)
            }
        }
    }

    private func time(_ k: StaticString, _ t: LinuxTimespec) {
        json.key(k)
        json.object { json.int("sec", t.seconds); json.int("nsec", t.fraction) }
    }

    private func signals(_ set: LinuxSigset) {
        json.key("signals")
        let sigs = set.signals
        json.list(0..<sigs.count) { i in
            var name = LinuxSignals.name(sigs[i]) ?? "SIG \(sigs[i])"
            name.withUTF8 { json.string(UnsafeRawBufferPointer($0)) }
        }
    }

    private func sockaddr(_ sa: LinuxSockaddr) {
        json.uint("family", UInt64(sa.family))
        if let n = LinuxXlat.addressFamilies.string(Int64(sa.family)) { json.str("family_name", n) }
        switch sa {
        case .inet(let a, let port):
            json.key("address"); json.symbolic { StructText.appendInet4(a, into: $0) }
            json.uint("port", UInt64(port))
        case .inet6(let a, let port, let flow, let scope):
            json.key("address"); json.symbolic { StructText.appendInet6(a, into: $0) }
            json.uint("port", UInt64(port)); json.uint("flowinfo", UInt64(flow)); json.uint("scope_id", UInt64(scope))
        case .unix(let path, let abstract):
            json.key("path"); json.string(path); json.bool("abstract", abstract)
        case .netlink(let pid, let groups):
            json.uint("nl_pid", UInt64(pid)); json.uint("nl_groups", UInt64(groups))
        case .truncated: json.bool("invalid", true)
        case .other: break
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
