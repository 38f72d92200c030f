#if canImport(Glibc)
import Glibc
#endif

/// ktrace's messages, in BSD err(3)/warnx(3) form: `ktrace: message[: strerror]`.
public enum Diagnostics {
    public static var program = "ktrace"

    public static func warnx(_ message: String) {
        var line = "\(program): \(message)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
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
