#if canImport(Glibc)
import Glibc
#endif
import KtraceFormat

/// What ktrace was asked to do, parsed as FreeBSD's ktrace(1) parses its command line.
public struct Options {
    public enum Clear { case notSet, clear, clearAll }

    public var append = false
    public var clear = Clear.notSet
    public var descend = false
    public var inherit = false
    public var file = "ktrace.out"
    /// > 0: a pid; < 0: a process group; 0: none.
    public var pid: Int32 = 0
    public var facilities = Facilities.defaultPoints
    public var facilitiesGiven = false
    public var command: [String] = []
    /// Linux extensions (letters FreeBSD's ktrace does not use).
    public var genioSize = 4096
    public var poolSize = 100
    public var waitForRequests = false
    public var syscallFilter: String?

    public static let usage = """
        usage: ktrace [-aCcdiW] [-b poolsize] [-e syscalls] [-f trfile] [-g pgrp | -p pid] [-s geniosize] [-t trstr]
               ktrace [-adiW] [-b poolsize] [-e syscalls] [-f trfile] [-s geniosize] [-t trstr] command

        """

    public static func usageExit() -> Never {
        var u = usage
        u.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(1)
    }

    /// Parses `argv` (without the program name check); exits with FreeBSD's messages on error.
    public static func parse(_ argv: [String]) -> Options {
        var o = Options()
        var i = 1
        var pidGiven = false
        func setPidClear(_ value: String?, _ c: Clear) {
            if c != .notSet {
                if o.clear != .notSet { Diagnostics.warnx("only one -c or -C flag is permitted"); usageExit() }
                o.clear = c
            }
            if o.clear == .clearAll && pidGiven {
                Diagnostics.warnx("the -C flag may not be combined with -g or -p"); usageExit()
            }
            guard let value else { return }
            if pidGiven { Diagnostics.warnx("only one -g or -p flag is permitted"); usageExit() }
            guard let n = Int64(value), n >= 1, n <= Int64(Int32.max) else {
                Diagnostics.warnx("invalid process or group id"); usageExit()
            }
            o.pid = Int32(n)
            pidGiven = true
        }
        func number(_ s: String, _ what: String, _ range: ClosedRange<Int>) -> Int {
            guard let n = Int(s), range.contains(n) else {
                Diagnostics.errx(1, "invalid \(what): \(s) (\(range.lowerBound) to \(range.upperBound))")
            }
            return n
        }
        // getopt("+aCcdf:g:ip:t:" plus b: e: s: W): stops at the first non-option.
        argLoop: while i < argv.count {
            let arg = argv[i]
            if arg == "--" { i += 1; break }
            guard arg.hasPrefix("-"), arg.count > 1 else { break }
            var chars = Array(arg.dropFirst())
            while !chars.isEmpty {
                let c = chars.removeFirst()
                func value() -> String {
                    if !chars.isEmpty { let v = String(chars); chars = []; return v }
                    i += 1
                    guard i < argv.count else {
                        Diagnostics.warnx("option requires an argument -- \(c)"); usageExit()
                    }
                    return argv[i]
                }
                switch c {
                case "a": o.append = true
                case "C": setPidClear("1", .clearAll)
                case "c": setPidClear(nil, .clear)
                case "d": o.descend = true
                case "f": o.file = value()
                case "g": setPidClear(value(), .notSet); o.pid = -o.pid
                case "i": o.inherit = true
                case "p": setPidClear(value(), .notSet)
                case "t":
                    let s = value()
                    guard let f = Facilities(letters: s) else {
                        Diagnostics.warnx("unknown facility in \(s)"); usageExit()
                    }
                    o.facilities = f
                    o.facilitiesGiven = true
                case "b": o.poolSize = number(value(), "pool size", 1...1_000_000)
                case "s": o.genioSize = number(value(), "genio size", 0...(16 << 20))
                case "W": o.waitForRequests = true
                case "e": o.syscallFilter = value(); _ = o.selection   // a bad word fails here, before any work
                default:
                    Diagnostics.warnx("illegal option -- \(c)"); usageExit()
                }
            }
            i += 1
        }
        o.command = Array(argv[i...])
        if o.clear == .notSet && o.pid == 0 && o.command.isEmpty { usageExit() }
        if o.pid != 0 && !o.command.isEmpty { usageExit() }
        if o.clear == .clearAll { o.pid = 1 }
        if o.inherit { o.facilities.insert(.inherit) }
        return o
    }
}
