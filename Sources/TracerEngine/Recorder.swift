#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat
import LinuxABI

/// Builds ktrace records in pool requests, copying from the stopped tracee straight
/// into the request buffer. One `begin`/`commit` pair per record; nothing allocates.
final class Recorder {
    let pool: RequestPool
    let genioSize: Int
    let waitForRequests: Bool
    /// Time of the current stop (CLOCK_REALTIME), stamped on its records.
    var now = timespec()
    private(set) var droppedEvents = 0
    private var warnedOutOfRequests = false
    /// Scratch space for iovec arrays and the gather lists built from them.
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: 64 * 16, alignment: 16)
    private let gatherBases = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)
    private let gatherLens = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)

    init(pool: RequestPool, genioSize: Int, waitForRequests: Bool) {
        self.pool = pool
        self.genioSize = min(genioSize, pool.payloadCapacity - Ktr.genioFixed)
        self.waitForRequests = waitForRequests
    }

    func stamp() { clock_gettime(CLOCK_REALTIME, &now) }
    /// `now` in nanoseconds.
    var nanoseconds: Int { Int(now.tv_sec) &* 1_000_000_000 &+ Int(now.tv_nsec) }

    // MARK: requests

    /// A request being filled: its index and where its payload goes.
    struct Request {
        let index: Int32
        let payload: UnsafeMutableRawPointer
    }

    /// Takes a request for a record of `t`'s process, or records a drop (FreeBSD's
    /// "out of request objects": the event is lost and the next record is flagged).
    @inline(__always)
    func begin(_ t: TracedThread) -> Request? {
        let i = pool.take(wait: waitForRequests)
        if i < 0 {
            t.process.dropPending = true
            droppedEvents += 1
            if !warnedOutOfRequests {
                warnedOutOfRequests = true
                Diagnostics.warnx("out of request objects")
            }
            return nil
        }
        return Request(index: i, payload: pool.buffer(i) + Ktr.headerSize)
    }

    @inline(__always)
    func commit(_ r: Request, _ type: RecordType, length: Int, _ t: TracedThread) {
        let h = RecordHeader(type: type, length: length, pid: t.process.pid, tid: Int64(t.tid), comm: t.comm,
                             seconds: Int64(now.tv_sec), nanoseconds: Int64(now.tv_nsec), cpu: -1,
                             dropped: t.process.dropPending)
        t.process.dropPending = false
        h.encode(into: pool.buffer(r.index))
        pool.submit(r.index, fd: t.process.fd)
    }

    func cancel(_ r: Request) { pool.giveBack(r.index) }

    // MARK: records

    func procctor(_ t: TracedThread) {
        guard t.process.facilities.contains(.procctor), let r = begin(t) else { return }
        r.payload.storeBytes(of: t.process.arch.svFlags, as: UInt32.self)
        commit(r, .procctor, length: Ktr.procctorSize, t)
    }

    func procdtor(_ t: TracedThread) {
        guard t.process.facilities.contains(.procdtor), let r = begin(t) else { return }
        commit(r, .procdtor, length: 0, t)
    }

    func call(_ t: TracedThread, narg: Int) {
        guard let r = begin(t) else { return }
        withUnsafeBytes(of: t.args) { raw in
            let args = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: Int64.self), count: narg)
            SyscallPayload.encode(into: r.payload, code: t.nr, args: args)
        }
        commit(r, .syscall, length: SyscallPayload.size(narg: narg), t)
    }

    func ret(_ t: TracedThread, error: Int32, retval: Int64) {
        guard let r = begin(t) else { return }
        SysretPayload.encode(into: r.payload, code: t.nr, error: error, retval: retval)
        commit(r, .sysret, length: Ktr.sysretSize, t)
    }

    /// A path argument, read from the tracee (NAMI: the path without its NUL).
    func namei(_ t: TracedThread, address: UInt64) {
        guard address != 0, let r = begin(t) else { return }
        let n = cpt_read_string(t.tid, r.payload.assumingMemoryBound(to: CChar.self), address, 4096)
        if n < 0 { cancel(r); return }
        commit(r, .namei, length: n, t)
    }

    /// NAMI from bytes the tracer already has (the path of an AF_UNIX sockaddr).
    func namei(_ t: TracedThread, bytes: UnsafeRawBufferPointer) {
        guard let r = begin(t) else { return }
        r.payload.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        commit(r, .namei, length: bytes.count, t)
    }

    /// GIO for a buffer of `count` bytes at `address`.
    func genio(_ t: TracedThread, fd: Int64, rw: Int32, address: UInt64, count: Int64) {
        guard count >= 0, let r = begin(t) else { return }
        GenioPayload.encodeFixed(into: r.payload, fd: Int32(truncatingIfNeeded: fd), rw: rw)
        let n = min(Int(count), genioSize)
        let got = cpt_read_mem(t.tid, r.payload + Ktr.genioFixed, address, n)
        if got < 0 && n > 0 { cancel(r); return }
        commit(r, .genio, length: Ktr.genioFixed + max(got, 0), t)
    }

    /// GIO for an iovec array (`iovcnt` entries at `iov`) of which `count` bytes moved.
    func genioVector(_ t: TracedThread, fd: Int64, rw: Int32, iov: UInt64, iovcnt: Int64, count: Int64) {
        guard count >= 0, iovcnt > 0, let r = begin(t) else { return }
        GenioPayload.encodeFixed(into: r.payload, fd: Int32(truncatingIfNeeded: fd), rw: rw)
        let want = min(Int(count), genioSize)
        let word = t.arch.wordSize
        let entries = min(Int(iovcnt), 64)
        let got = cpt_read_mem(t.tid, scratch, iov, entries * 2 * word)
        var k = 0, total = 0
        if got > 0 {
            while k < got / (2 * word) && total < want {
                let base = word == 8 ? scratch.load(fromByteOffset: 16 * k, as: UInt64.self)
                                     : UInt64(scratch.load(fromByteOffset: 8 * k, as: UInt32.self))
                let len = word == 8 ? scratch.load(fromByteOffset: 16 * k + 8, as: UInt64.self)
                                    : UInt64(scratch.load(fromByteOffset: 8 * k + 4, as: UInt32.self))
                let take = min(Int(clamping: len), want - total)
                gatherBases[k] = base
                gatherLens[k] = UInt64(take)
                total += take
                k += 1
            }
        }
        let n = total > 0 ? cpt_read_gather(t.tid, r.payload + Ktr.genioFixed, total, gatherBases, gatherLens, Int32(k)) : 0
        if n < 0 { cancel(r); return }
        commit(r, .genio, length: Ktr.genioFixed + n, t)
    }

    /// GIO for a struct msghdr at `msg` of which `count` bytes moved.
    func genioMessage(_ t: TracedThread, fd: Int64, rw: Int32, msg: UInt64, count: Int64) {
        let word = t.arch.wordSize
        // msg_iov is the third field, msg_iovlen the fourth (pointer-sized each).
        var hdr: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let need = 4 * word
        let got = withUnsafeMutableBytes(of: &hdr) { cpt_read_mem(t.tid, $0.baseAddress!, msg, need) }
        guard got == need else { return }
        let iov: UInt64, iovlen: UInt64
        if word == 8 { iov = hdr.2; iovlen = hdr.3 } else {
            iov = UInt64(UInt32(truncatingIfNeeded: hdr.1)); iovlen = UInt64(UInt32(truncatingIfNeeded: hdr.1 >> 32))
        }
        genioVector(t, fd: fd, rw: rw, iov: iov, iovcnt: Int64(clamping: iovlen), count: count)
    }

    /// GIO per message of an mmsghdr vector of which `messages` were transferred.
    func genioMessages(_ t: TracedThread, fd: Int64, rw: Int32, vec: UInt64, messages: Int64) {
        let word = t.arch.wordSize
        let msghdrSize = word == 8 ? 56 : 28
        let entrySize = word == 8 ? 64 : 32
        for k in 0..<min(Int(messages), 64) {
            let entry = vec + UInt64(k * entrySize)
            var len: UInt32 = 0
            guard cpt_read_mem(t.tid, &len, entry + UInt64(msghdrSize), 4) == 4 else { return }
            genioMessage(t, fd: fd, rw: rw, msg: entry, count: Int64(len))
        }
    }

    /// STRUCT: `size` bytes at `address` under `name`.
    func structure(_ t: TracedThread, name: StaticString, address: UInt64, size: Int) {
        guard address != 0, size > 0, let r = begin(t) else { return }
        let nameLen = name.utf8CodeUnitCount
        r.payload.copyMemory(from: name.utf8Start, byteCount: nameLen)
        r.payload.storeBytes(of: 0, toByteOffset: nameLen, as: UInt8.self)
        let n = min(size, pool.payloadCapacity - nameLen - 1)
        let got = cpt_read_mem(t.tid, r.payload + nameLen + 1, address, n)
        if got != n { cancel(r); return }
        commit(r, .structure, length: nameLen + 1 + n, t)
    }

    /// STRUCT from an i386 process: its struct at `address`, widened to the x86-64
    /// layout the record carries under `name`.
    func structure(_ t: TracedThread, name: StaticString, address: UInt64, i386 layout: I386Layout) {
        guard address != 0, let r = begin(t) else { return }
        let nameLen = name.utf8CodeUnitCount
        guard layout.size <= 1024, nameLen + 1 + layout.wideSize <= pool.payloadCapacity,
              cpt_read_mem(t.tid, scratch, address, layout.size) == layout.size else { cancel(r); return }
        r.payload.copyMemory(from: name.utf8Start, byteCount: nameLen)
        r.payload.storeBytes(of: 0, toByteOffset: nameLen, as: UInt8.self)
        layout.widen(scratch, into: r.payload + nameLen + 1)
        commit(r, .structure, length: nameLen + 1 + layout.wideSize, t)
    }

    /// STRUCT_ARRAY: `count` items of `itemSize` bytes at `address`, trimmed to the genio size.
    func structArray(_ t: TracedThread, name: StaticString, address: UInt64, itemSize: Int, count: Int64) {
        guard address != 0, count > 0, let r = begin(t) else { return }
        let items = max(1, min(Int(count), genioSize / itemSize))
        r.payload.storeBytes(of: UInt64(itemSize), as: UInt64.self)
        let nameLen = name.utf8CodeUnitCount
        (r.payload + 8).copyMemory(from: name.utf8Start, byteCount: nameLen)
        r.payload.storeBytes(of: 0, toByteOffset: 8 + nameLen, as: UInt8.self)
        let start = 8 + nameLen + 1
        let n = min(items * itemSize, pool.payloadCapacity - start) / itemSize * itemSize
        let got = cpt_read_mem(t.tid, r.payload + start, address, n)
        if got != n { cancel(r); return }
        commit(r, .structArray, length: start + n, t)
    }

    /// USER: up to 2048 bytes the program passed to utrace().
    func user(_ t: TracedThread, address: UInt64, length: Int64) {
        guard length >= 0, length <= Int64(Ktr.userMaxLength), let r = begin(t) else { return }
        let got = cpt_read_mem(t.tid, r.payload, address, Int(length))
        if got != Int(length) { cancel(r); return }
        commit(r, .user, length: got, t)
    }

    /// ARGS / ENVS: the strings of a NULL-terminated pointer array, NUL-separated.
    func execStrings(_ t: TracedThread, type: RecordType, vector: UInt64) {
        guard vector != 0, let r = begin(t) else { return }
        let word = UInt64(t.arch.wordSize)
        var used = 0
        var k: UInt64 = 0
        let cap = pool.payloadCapacity
        while used < cap - 1 {
            var ptr: UInt64 = 0
            guard cpt_read_mem(t.tid, &ptr, vector + k * word, Int(word)) == Int(word) else { break }
            if word == 4 { ptr &= 0xffff_ffff }
            if ptr == 0 { break }
            let n = cpt_read_string(t.tid, (r.payload + used).assumingMemoryBound(to: CChar.self), ptr, cap - used)
            if n < 0 { break }
            used += n + 1
            k += 1
        }
        commit(r, type, length: used, t)
    }

    /// PSIG for the signal `p` delivered to `t`, with its action.
    func psig(_ t: TracedThread, _ p: PendingPsig, action: UInt64) {
        guard let r = begin(t) else { return }
        PsigPayload.encode(into: r.payload, signo: p.signal, action: action, code: p.code, mask: p.mask)
        commit(r, .psig, length: Ktr.psigSize, t)
    }
}
