import KtraceFormat

/// kdump's command line, parsed the way FreeBSD's getopt string `f:cdElm:np:AHRrSsTt:` does,
/// plus the long option `--json`.
public struct KdumpOptions: Equatable {
    public struct Timestamps: OptionSet, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let absolute = Timestamps(rawValue: 1)
        public static let elapsed = Timestamps(rawValue: 2)
        public static let relative = Timestamps(rawValue: 4)
    }

    public var traceFile = "ktrace.out"
    public var showABI = false          // -A
    public var showCPU = false          // -c
    public var decimal = false          // -d
    public var follow = false           // -l
    public var maxData = 0              // -m, 0 = no limit
    public var fancy = true             // -n clears it
    public var pid: Int64 = 0           // -p, 0 = every process
    public var resolve = false          // -r
    public var syscallNumbers = false   // -S
    public var suppressData = false     // -s
    public var threads = false          // -H
    public var timestamps: Timestamps = []
    /// The -t selection; nil shows every record type, including types kdump does not know.
    public var points: Facilities?
    public var json = false             // --json

    public init() {}

    public static let usage = "usage: kdump [-dEnlHRrSsTA] [-c] [-f trfile] [-m maxdata] [-p pid] [-t trstr] [--json]\n"

    public enum ParseError: Error, Equatable {
        /// Print the usage text, exit 1.
        case usage(String?)
        /// Print `kdump: <message>`, exit 1.
        case fatal(String)
    }

    /// Parses `arguments` (without the program name).
    public static func parse(_ arguments: [String]) throws -> KdumpOptions {
        var o = KdumpOptions()
        var i = 0
        func value(_ letter: Character, _ rest: Substring) throws -> String {
            if !rest.isEmpty { return String(rest) }
            i += 1
            guard i < arguments.count else { throw ParseError.usage("option requires an argument -- \(letter)") }
            return arguments[i]
        }
        while i < arguments.count {
            let arg = arguments[i]
            if arg == "--" { i += 1; break }
            if arg == "--json" { o.json = true; i += 1; continue }
            guard arg.hasPrefix("-"), arg.count > 1, !arg.hasPrefix("--") else { break }
            var rest = arg.dropFirst()
            while let letter = rest.first {
                rest = rest.dropFirst()
                switch letter {
                case "A": o.showABI = true
                case "c": o.showCPU = true
                case "d": o.decimal = true
                case "E": o.timestamps.insert(.elapsed)
                case "H": o.threads = true
                case "l": o.follow = true
                case "n": o.fancy = false
                case "R": o.timestamps.insert(.relative)
                case "r": o.resolve = true
                case "S": o.syscallNumbers = true
                case "s": o.suppressData = true
                case "T": o.timestamps.insert(.absolute)
                case "f", "m", "p", "t":
                    let v = try value(letter, rest)
                    rest = ""
                    switch letter {
                    case "f": o.traceFile = v
                    case "m": o.maxData = Int(atoiPrefix(v))
                    case "p": o.pid = atoiPrefix(v)
                    default:
                        guard let f = Facilities(letters: v) else { throw ParseError.fatal("unknown trace point in \(v)") }
                        o.points = f
                    }
                default:
                    throw ParseError.usage("illegal option -- \(letter)")
                }
            }
            i += 1
        }
        if i < arguments.count { throw ParseError.usage(nil) }
        return o
    }
}

/// C's atoi: optional blanks and sign, then digits up to the first non-digit; 0 if none.
/// Values beyond Int32 wrap as the C library's does not matter here: kdump compares pids.
func atoiPrefix(_ s: String) -> Int64 {
    var it = s.utf8.drop { $0 == 32 || ($0 >= 9 && $0 <= 13) }[...]
    var negative = false
    if let c = it.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
        negative = c == UInt8(ascii: "-")
        it = it.dropFirst()
    }
    var v: Int64 = 0
    for c in it {
        guard c >= 48 && c <= 57 else { break }
        v = v &* 10 &+ Int64(c - 48)
        if v > Int64(Int32.max) + 1 { break }
    }
    return Int64(Int32(truncatingIfNeeded: negative ? -v : v))
}
