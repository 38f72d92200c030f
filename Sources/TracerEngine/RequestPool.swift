#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat

/// FreeBSD's ktrace request pool, in userland: a fixed number of request buffers
/// allocated once, filled by the tracer, written by a writer thread in batches
/// (one writev per batch), and returned to the pool. Nothing here allocates after
/// `init`. The tracer never blocks on disk I/O while the pool has free requests.
public final class RequestPool {
    /// Capacity of one request's payload: the largest fixed payload plus a genio buffer.
    public let payloadCapacity: Int
    public let count: Int
    private let stride: Int
    private let slab: UnsafeMutableRawPointer

    private var lock = pthread_mutex_t()
    private var writerWake = pthread_cond_t()
    private var spaceFreed = pthread_cond_t()
    private var drained = pthread_cond_t()

    // Free requests (a stack) and filled ones in order (a ring), by index.
    private let free: UnsafeMutablePointer<Int32>
    private var freeCount: Int
    private let filled: UnsafeMutablePointer<Int32>
    private let filledFd: UnsafeMutablePointer<Int32>
    private var filledHead = 0
    private var filledCount = 0
    private var writing = 0           // requests taken by the writer, not yet returned
    private var stopping = false
    private let wakeThreshold: Int

    /// Set by the writer when a write fails; read by the tracer between stops.
    public private(set) var writeError: Int32 = 0
    private var thread = pthread_t()

    public init(count: Int, genioSize: Int) {
        self.count = count
        // A NAMI path is read in page-sized chunks of up to PATH_MAX (4096) bytes, whatever the genio size.
        payloadCapacity = max(genioSize, Ktr.userMaxLength, 4096) + 1024
        stride = (Ktr.headerSize + payloadCapacity + 15) & ~15
        slab = UnsafeMutableRawPointer.allocate(byteCount: stride * count, alignment: 16)
        free = .allocate(capacity: count)
        filled = .allocate(capacity: count)
        filledFd = .allocate(capacity: count)
        for i in 0..<count { free[i] = Int32(count - 1 - i) }
        freeCount = count
        wakeThreshold = max(1, count / 8)
        pthread_mutex_init(&lock, nil)
        pthread_cond_init(&writerWake, nil)
        pthread_cond_init(&spaceFreed, nil)
        pthread_cond_init(&drained, nil)
    }

    /// The header of request `i`; its payload starts `Ktr.headerSize` bytes later.
    @inline(__always)
    public func buffer(_ i: Int32) -> UnsafeMutableRawPointer { slab + Int(i) * stride }

    /// How long an empty pool waits for the writer before the event is lost. The
    /// kernel's pool empties only when the disk is slow, since FreeBSD writes in the
    /// traced thread; here a writer thread that the scheduler has not run for a
    /// millisecond must not lose events.
    /// `KTRACE_POOL_GRACE_MS` sets it (0: FreeBSD's immediate drop).
    public let graceNanoseconds: Int = {
        if let v = getenv("KTRACE_POOL_GRACE_MS"), let ms = Int(String(cString: v)), ms >= 0, ms <= 10_000 { return ms * 1_000_000 }
        return 20_000_000
    }()

    /// Takes a free request, or returns -1 if none is free within the grace period
    /// (the caller drops the event) — unless `wait`, in which case it waits as long
    /// as the writer needs.
    @inline(__always)
    public func take(wait: Bool) -> Int32 {
        pthread_mutex_lock(&lock)
        if freeCount == 0 { cpt_share_boost_writer() }
        if freeCount == 0 && !wait && writeError == 0 && graceNanoseconds > 0 {
            pthread_cond_signal(&writerWake)
            var deadline = realtimeDeadline(afterNanoseconds: graceNanoseconds)
            while freeCount == 0 && writeError == 0 {
                if pthread_cond_timedwait(&spaceFreed, &lock, &deadline) == ETIMEDOUT { break }
            }
        }
        while freeCount == 0 {
            pthread_cond_signal(&writerWake)
            if !wait || writeError != 0 { pthread_mutex_unlock(&lock); return -1 }
            pthread_cond_wait(&spaceFreed, &lock)
        }
        freeCount -= 1
        let r = free[freeCount]
        pthread_mutex_unlock(&lock)
        return r
    }

    /// Queues a filled request for writing to `fd`. Its header holds the record length.
    @inline(__always)
    public func submit(_ i: Int32, fd: Int32) {
        pthread_mutex_lock(&lock)
        let slot = (filledHead + filledCount) % count
        filled[slot] = i
        filledFd[slot] = fd
        filledCount += 1
        if filledCount >= wakeThreshold { pthread_cond_signal(&writerWake) }
        pthread_mutex_unlock(&lock)
    }

    /// Returns a request that was taken but not submitted.
    public func giveBack(_ i: Int32) {
        pthread_mutex_lock(&lock)
        free[freeCount] = i
        freeCount += 1
        pthread_mutex_unlock(&lock)
    }

    /// Waits until every submitted record has been written (or writing failed).
    public func flush() {
        cpt_share_boost_writer()
        pthread_mutex_lock(&lock)
        while (filledCount > 0 || writing > 0) && writeError == 0 {
            pthread_cond_signal(&writerWake)
            pthread_cond_wait(&drained, &lock)
        }
        pthread_mutex_unlock(&lock)
    }

    public func start() {
        let unmanaged = Unmanaged.passRetained(self)
        pthread_create(&thread, nil, { arg in
            let pool = Unmanaged<RequestPool>.fromOpaque(arg!).takeRetainedValue()
            cpt_share_writer()
            pool.writerLoop()
            return nil
        }, unmanaged.toOpaque())
    }

    /// Writes what is queued, then stops the writer thread.
    public func stop() {
        flush()
        pthread_mutex_lock(&lock)
        stopping = true
        pthread_cond_signal(&writerWake)
        pthread_mutex_unlock(&lock)
        pthread_join(thread, nil)
    }

    // MARK: the writer thread

    private func writerLoop() {
        let maxBatch = min(count, 1024)   // IOV_MAX
        let iov = UnsafeMutablePointer<iovec>.allocate(capacity: maxBatch)
        let batch = UnsafeMutablePointer<Int32>.allocate(capacity: maxBatch)
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: maxBatch)
        pthread_mutex_lock(&lock)
        while true {
            while filledCount == 0 && !stopping {
                var deadline = realtimeDeadline(afterNanoseconds: 50_000_000)   // records reach the file within ~50 ms
                pthread_cond_timedwait(&writerWake, &lock, &deadline)
            }
            if filledCount == 0 && stopping { break }
            // Take the longest run of requests for one file, in order.
            let fd = filledFd[filledHead]
            var n = 0
            while n < filledCount && n < maxBatch && filledFd[(filledHead + n) % count] == fd {
                batch[n] = filled[(filledHead + n) % count]
                n += 1
            }
            filledHead = (filledHead + n) % count
            filledCount -= n
            writing = n
            pthread_mutex_unlock(&lock)

            var total = 0
            for k in 0..<n {
                let p = buffer(batch[k])
                let len = Ktr.headerSize + Int(p.load(as: Int32.self))
                iov[k] = iovec(iov_base: p, iov_len: len)
                lengths[k] = len
                total += len
            }
            let err = writeAll(fd: fd, iov: iov, lengths: lengths, count: n, total: total)

            pthread_mutex_lock(&lock)
            if err != 0 && writeError == 0 { writeError = err }
            for k in 0..<n { free[freeCount] = batch[k]; freeCount += 1 }
            writing = 0
            pthread_cond_broadcast(&spaceFreed)
            if filledCount == 0 || writeError != 0 { pthread_cond_broadcast(&drained) }
        }
        pthread_cond_broadcast(&drained)
        pthread_mutex_unlock(&lock)
        iov.deallocate()
        batch.deallocate()
        lengths.deallocate()
    }

    /// writev until all is written. On failure, cuts the file back to the last whole
    /// record so that it never ends in a torn record, and returns the errno.
    private func writeAll(fd: Int32, iov: UnsafeMutablePointer<iovec>, lengths: UnsafeMutablePointer<Int>,
                          count n: Int, total: Int) -> Int32 {
        let start = lseek(fd, 0, SEEK_END)
        var done = 0
        var first = 0
        while done < total {
            let r = writev(fd, iov + first, Int32(n - first))
            if r <= 0 {
                if r < 0 && errno == EINTR { continue }
                let e = r < 0 ? errno : EIO
                if start >= 0 && done > 0 {
                    // The longest prefix of whole records the kernel took.
                    var whole = 0
                    for k in 0..<n {
                        if whole + lengths[k] > done { break }
                        whole += lengths[k]
                    }
                    _ = ftruncate(fd, start + off_t(whole))
                }
                return e
            }
            done += r
            // Advance past fully written iovecs; trim a partly written one.
            var left = r
            while first < n && left >= iov[first].iov_len { left -= iov[first].iov_len; first += 1 }
            if left > 0 {
                iov[first].iov_base += left
                iov[first].iov_len -= left
            }
        }
        return 0
    }
}

/// CLOCK_REALTIME `nanoseconds` from now, as pthread_cond_timedwait wants it.
func realtimeDeadline(afterNanoseconds nanoseconds: Int) -> timespec {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    t.tv_sec += nanoseconds / 1_000_000_000
    t.tv_nsec += nanoseconds % 1_000_000_000
    if t.tv_nsec >= 1_000_000_000 { t.tv_sec += 1; t.tv_nsec -= 1_000_000_000 }
    return t
}
