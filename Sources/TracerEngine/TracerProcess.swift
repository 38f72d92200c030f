#if canImport(Glibc)
import Glibc
#endif
import CPtrace

/// A tracer runs threads (the writer, the control socket), and Swift's runtime locks
/// are futexes tagged with a thread id cached per thread: in a forked child that
/// cache still holds the parent's id, and a contended runtime lock spins forever.
/// So a forked tracer does not go on in the fork: it executes ktrace again, in an
/// internal role, with a fresh runtime, the descriptors it needs and the original
/// arguments (parsed again, to the same options).
enum TracerProcess {
    static let prefix = "--ktrace-internal-"

    enum Role: String { case command, background }

    /// In the forked child: becomes the tracer for `role`. `fds` are kept open across
    /// the exec; `numbers` (descriptors and pids) are passed as arguments.
    static func exec(_ role: Role, keep fds: [Int32], numbers: [Int32]) -> Never {
        for fd in fds { _ = fcntl(fd, F_SETFD, 0) }
        let args = CommandLine.arguments
        let argv = [args[0], prefix + role.rawValue] + numbers.map { String($0) } + ["--"] + args.dropFirst()
        let cargs = argv.map { strdup($0) } + [nil]
        execv("/proc/self/exe", cargs)
        _exit(127)
    }

    /// Starts a tracer for `role` as an orphan in a session of its own (outside the
    /// caller's process tree, out of reach of its terminal's signals): a middle
    /// process forks it, writes its pid to `pidPipe` if given, and exits; the caller
    /// has reaped the middle process when this returns. Returns false if fork failed.
    static func spawn(_ role: Role, keep fds: [Int32], numbers: [Int32], closeInChild: [Int32],
                      pidPipe: Int32? = nil) -> Bool {
        let middle = cpt_fork()
        if middle < 0 { return false }
        if middle == 0 {
            setsid()
            var tracer = cpt_fork()
            if tracer == 0 {
                for fd in closeInChild { close(fd) }
                exec(role, keep: fds, numbers: numbers)
            }
            if let pidPipe { _ = write(pidPipe, &tracer, 4) }
            _exit(0)
        }
        var status: Int32 = 0
        _ = waitpid(middle, &status, 0)
        return true
    }

    /// If `args` names an internal role: the role, its numbers and the original arguments.
    static func parse(_ args: [String]) -> (Role, [Int32], [String])? {
        guard args.count > 1, args[1].hasPrefix(prefix), let role = Role(rawValue: String(args[1].dropFirst(prefix.count))),
              let dash = args.firstIndex(of: "--") else { return nil }
        let numbers = args[2..<dash].compactMap { Int32($0) }
        return (role, numbers, [args[0]] + args[(dash + 1)...])
    }
}

/// The entry point of the ktrace executable.
public enum Ktrace {
    public static func main(_ args: [String]) -> Never {
        if let (role, n, original) = TracerProcess.parse(args) {
            let o = Options.parse(original)
            switch role {
            case .command where n.count == 5:
                Launcher.tracerMain(o, fd: n[0], command: n[1], fromCommand: n[2], toCommand: n[3], filtered: n[4] != 0)
            case .background where n.count == 1:
                Controller.backgroundTracerMain(o, ready: n[0])
            default:
                Diagnostics.errx(1, "bad internal invocation")
            }
        }
        let options = Options.parse(args)
        if options.command.isEmpty { Controller.run(options) }
        Launcher.run(options)
    }
}
