#if canImport(Glibc)
import Glibc
#endif
import CPtrace

/// ktrace's messages, in BSD err(3)/warnx(3) form: `ktrace: message[: strerror]`.
public enum Diagnostics {
    public static var program = "ktrace"
    /// A background tracer has no terminal to write to: its messages go to syslog,
    /// as FreeBSD's kernel logs ktrace's write failures.
    public static var toSyslog = false

    public static func warnx(_ message: String) {
        if toSyslog {
            cpt_syslog_notice(message)
            return
        }
        var line = "\(program): \(message)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// From now on, messages go to syslog and nothing holds the caller's stderr.
    public static func switchToSyslog() {
        openlog("ktrace", LOG_PID, LOG_USER)
        toSyslog = true
        let devnull = open("/dev/null", O_WRONLY)
        if devnull >= 0 { dup2(devnull, 2); if devnull != 2 { close(devnull) } }
    }

    public static func warn(_ message: String, errno e: Int32) {
        warnx("\(message): \(errorText(e))")
    }

    public static func errorText(_ e: Int32) -> String { String(cString: strerror(e)) }

    public static func errx(_ status: Int32 = 1, _ message: String) -> Never {
        warnx(message)
        exit(status)
    }

    public static func err(_ status: Int32 = 1, _ message: String, errno e: Int32 = errno) -> Never {
        warn(message, errno: e)
        exit(status)
    }
}

/// A failed system call's errno, as a Swift error.
struct Errno: Error {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}
