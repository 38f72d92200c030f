#if canImport(Glibc)
import Glibc
#endif
import CPtrace

/// A tracer is a grandchild of the process that starts it, in a session of its own.
///
/// It goes on in the fork, without an exec (a second start of the Swift runtime
/// and of the dynamic loader costs milliseconds per traced command), but not on the
/// forking thread: Swift's runtime locks are futexes tagged with a thread id cached
/// per thread, and in a forked child that cache still holds the parent's id, so a
/// lock that thread holds while another thread contends for it spins forever. The
/// tracer runs on a new thread, whose cache is right, and the forking thread only
/// waits for it. The process that forks must have one thread, as ktrace has until
/// it traces.
enum TracerProcess {
    /// Starts `body` as the tracer, an orphan in a session of its own (outside the
    /// caller's process tree, out of reach of its terminal's signals): a middle
    /// process forks it, writes its pid to `pidPipe` if given, and exits; the caller
    /// has reaped the middle process when this returns. In the tracer, descriptors
    /// marked close-on-exec are closed, as an exec would, but for `keep`. Returns
    /// false if fork failed.
    static func spawn(keep fds: [Int32], pidPipe: Int32? = nil, _ body: @escaping () -> Never) -> Bool {
        let middle = cpt_fork()
        if middle < 0 { return false }
        if middle == 0 {
            setsid()
            var tracer = cpt_fork()
            if tracer == 0 {
                closeOnExecDescriptors(except: fds)
                runOnNewThread(body)
            }
            if let pidPipe { _ = write(pidPipe, &tracer, 4) }
            _exit(0)
        }
        var status: Int32 = 0
        _ = waitpid(middle, &status, 0)
        return true
    }

    /// Closes what an exec would close: a descriptor left open here (the write end of
    /// a pipe the tracer reads, say) would keep its reader from seeing end-of-file.
    static func closeOnExecDescriptors(except keep: [Int32]) {
        for name in listDirectory("/proc/self/fd") {
            guard let fd = Int32(name), fd > 2, !keep.contains(fd) else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC != 0 { close(fd) }
        }
    }

    /// Runs `body` on a new thread; this one blocks every signal (they go to the
    /// tracer's threads, as to a single-threaded tracer) and waits.
    static func runOnNewThread(_ body: @escaping () -> Never) -> Never {
        final class Start { let body: () -> Never; var mask = sigset_t(); init(_ b: @escaping () -> Never) { body = b } }
        let start = Start(body)
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_SETMASK, &all, &start.mask)
        var thread = pthread_t()
        let box = Unmanaged.passRetained(start)
        guard pthread_create(&thread, nil, { arg in
            let start = Unmanaged<Start>.fromOpaque(arg!).takeRetainedValue()
            pthread_sigmask(SIG_SETMASK, &start.mask, nil)
            start.body()
        }, box.toOpaque()) == 0 else { _exit(1) }
        pthread_join(thread, nil)
        _exit(0)
    }
}
