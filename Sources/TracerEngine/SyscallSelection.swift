import LinuxABI

/// The `-e` syscall filter: which syscalls get CALL, RET, NAMI, GIO and STRU records.
///
/// The expression is a comma-separated list of items, read left to right:
/// - a syscall name (`openat`), on whichever ABIs (x86-64, i386) define it;
/// - a class, strace's (`%file`, `%network` or `%net`, `%process`, `%signal`, `%memory`,
///   `%desc`, `%ipc`, `%creds`, `%clock`, `%stat`, `%statfs`, `%pure`);
/// - `all` (every syscall, numbers no table knows included) or `none`;
/// - any of these after `!` takes it away from what the items before it selected.
/// A `!` in front of the whole expression negates the result, as strace's
/// `-e trace=!set` does: `!openat,read` is everything but openat and read, while
/// `%file,!openat` is every file syscall but openat.
public struct SyscallSelection {
    /// Indexed by syscall number, one per ABI.
    private(set) var x86_64: [Bool]
    private(set) var i386: [Bool]
    /// Numbers past the tables (unknown syscalls, ktrace's utrace number).
    private(set) var others: Bool

    public static let all = SyscallSelection(everything: true)

    private init(everything: Bool) {
        x86_64 = [Bool](repeating: everything, count: Syscalls.table(.x86_64).count)
        i386 = [Bool](repeating: everything, count: Syscalls.table(.i386).count)
        others = everything
    }

    /// Every syscall, so records need no check.
    public var isAll: Bool { others && !x86_64.contains(false) && !i386.contains(false) }

    /// An index, no allocation: called at every syscall stop.
    @inline(__always) public func contains(_ arch: LinuxArch, _ nr: Int) -> Bool {
        let bits = arch == .x86_64 ? x86_64 : i386
        return nr >= 0 && nr < bits.count ? bits[nr] : others
    }

    /// Parses an `-e` expression; on an unknown word returns it as the error.
    public static func parse(_ text: String) -> Result<SyscallSelection, UnknownWord> {
        var s = SyscallSelection(everything: false)
        var body = Substring(text)
        let negateAll = body.hasPrefix("!")
        if negateAll { body = body.dropFirst() }
        for item in body.split(separator: ",", omittingEmptySubsequences: false) {
            let remove = item.hasPrefix("!")
            let word = remove ? item.dropFirst() : item
            guard s.set(word: word, to: !remove) else { return .failure(UnknownWord(word: String(word))) }
        }
        if negateAll { s.invert() }
        return .success(s)
    }

    /// Parses the expression or exits with `ktrace: unknown syscall or class in -e: 'word'`.
    public static func parseOrExit(_ text: String) -> SyscallSelection {
        switch parse(text) {
        case .success(let s): return s
        case .failure(let bad): Diagnostics.errx(1, "unknown syscall or class in -e: '\(bad.word)'")
        }
    }

    public struct UnknownWord: Error, Equatable { public let word: String }

    /// Sets every syscall `word` names to `value`; false if it names nothing.
    private mutating func set(word: Substring, to value: Bool) -> Bool {
        let matches: (SyscallDesc) -> Bool
        if word == "all" || word == "none" {
            // `none` selects nothing: it clears; `!none` takes nothing away.
            if word == "all" { fillAll(value) } else if value { fillAll(false) }
            return true
        } else if word.hasPrefix("%") {
            let name = word.dropFirst()
            guard let cls = SyscallClasses.names.first(where: { $0.0 == name })?.1 else { return false }
            matches = { !$0.classes.isDisjoint(with: cls) }
        } else {
            let name = String(word)
            matches = { $0.name == name }
        }
        let a = SyscallSelection.mark(&x86_64, Syscalls.table(.x86_64), matches, value)
        let b = SyscallSelection.mark(&i386, Syscalls.table(.i386), matches, value)
        // A class that happens to be empty on both ABIs is still a known class.
        return a || b || word.hasPrefix("%")
    }

    private static func mark(_ bits: inout [Bool], _ table: [SyscallDesc?], _ matches: (SyscallDesc) -> Bool,
                             _ value: Bool) -> Bool {
        var any = false
        for (nr, d) in table.enumerated() where d.map(matches) == true {
            bits[nr] = value
            any = true
        }
        return any
    }

    private mutating func fillAll(_ value: Bool) {
        for i in x86_64.indices { x86_64[i] = value }
        for i in i386.indices { i386[i] = value }
        others = value
    }

    private mutating func invert() {
        for i in x86_64.indices { x86_64[i].toggle() }
        for i in i386.indices { i386[i].toggle() }
        others.toggle()
    }
}

extension Options {
    /// The `-e` selection (everything without `-e`); exits on a bad expression.
    public var selection: SyscallSelection { syscallFilter.map(SyscallSelection.parseOrExit) ?? .all }
}
