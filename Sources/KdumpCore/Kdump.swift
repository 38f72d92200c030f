#if canImport(Glibc)
import Glibc
#endif
import KtraceFormat
import LinuxABI

/// kdump's main loop (FreeBSD's order: drop notice, length checks, PROCCTOR/PROCDTOR
/// bookkeeping, -p and -t filters, then print). Output accumulates in one buffer that
/// is written to stdout in large chunks, or after every record with -l.
public final class Kdump {
    let options: KdumpOptions
    let out = ByteBuffer(capacity: 1 << 17)
    private let flushThreshold = 1 << 16
    /// sv_flags of every process a PROCCTOR announced.
    private var abiByPid: [Int32: UInt32] = [:] { didSet { lastABI = nil } }
    /// The last lookup: consecutive records mostly come from one process.
    private var lastABI: (pid: Int32, svFlags: UInt32)?
    private var dropLogged = false
    private let text: TextRenderer
    private let json: JSONRenderer

    public init(options: KdumpOptions) {
        self.options = options
        text = TextRenderer(options: options, out: out)
        json = JSONRenderer(options: options, out: out)
    }

    /// Runs kdump with `arguments` (without the program name); returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        let options: KdumpOptions
        do {
            options = try KdumpOptions.parse(arguments)
        } catch KdumpOptions.ParseError.usage(let message) {
            if let message { warn(message) }
            writeAll(2, KdumpOptions.usage)
            return 1
        } catch KdumpOptions.ParseError.fatal(let message) {
            warn(message)
            return 1
        } catch {
            return 1
        }
        return Kdump(options: options).run()
    }

    /// Dumps the trace file named in the options.
    public func run() -> Int32 {
        let name = options.traceFile == "-" ? "stdin" : options.traceFile
        let fd = options.traceFile == "-" ? 0 : open(options.traceFile, O_RDONLY)
        if fd < 0 {
            Kdump.warn("\(name): \(String(cString: strerror(errno)))")
            return 1
        }
        defer { if fd != 0 { close(fd) } }
        let reader = RecordReader(fd: fd, follow: options.follow)
        reader.onWait = { [out] in out.flush(to: 1) }
        var offset: UInt64 = 0
        do {
            while let record = try reader.next() {
                offset = record.offset
                try dump(record)
                if options.follow || out.count >= flushThreshold { try flush() }
            }
            try flush()
            return 0
        } catch let e as FormatError {
            return fail(name, e.offset, e.message)
        } catch let e as PayloadError {
            return fail(name, offset, e.message)
        } catch {
            return 1
        }
    }

    private func dump(_ record: Record) throws {
        let h = record.header
        // JSON carries the flag in every object ("dropped") instead of a notice line.
        if h.dropped && !dropLogged && !options.json {
            text.dropped(h)
            dropLogged = true
        }
        switch RecordType(rawValue: h.type) {
        case .procctor?:
            abiByPid[h.pid] = try ProcctorPayload(record.payload).svFlags
            return
        case .procdtor?:
            abiByPid[h.pid] = nil
            return
        default: break
        }
        if options.pid != 0 && Int64(h.pid) != options.pid && h.tid != options.pid { return }
        if let points = options.points {
            // Types past the 32 facility bits are never selected, as in FreeBSD's `1 << type`.
            guard h.type < 32, points.rawValue & (1 << UInt32(h.type)) != 0 else { return }
        }
        let decoded = try RecordDecoder.decode(record, svFlags: svFlags(of: h.pid))
        dropLogged = false
        if options.json { json.render(decoded) } else { text.render(decoded) }
    }

    private func svFlags(of pid: Int32) -> UInt32 {
        if let last = lastABI, last.pid == pid { return last.svFlags }
        let flags = abiByPid[pid] ?? 0
        lastABI = (pid, flags)
        return flags
    }

    private struct OutputError: Error {}

    private func flush() throws {
        if !out.flush(to: 1) { throw OutputError() }
    }

    /// Prints what was decoded so far, then `kdump: FILE: offset N: MESSAGE`.
    private func fail(_ name: String, _ offset: UInt64, _ message: String) -> Int32 {
        out.flush(to: 1)
        Kdump.warn("\(name): offset \(offset): \(message)")
        return 1
    }

    static func warn(_ message: String) {
        writeAll(2, "kdump: \(message)\n")
    }

    static func writeAll(_ fd: Int32, _ s: String) {
        let b = ByteBuffer(capacity: s.utf8.count)
        b.append(s)
        b.flush(to: fd)
    }
}
