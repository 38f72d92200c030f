// Builds the per-ABI syscall tables once from the generated rows
// (SyscallTableData.swift) and the hand-written argument specs (SyscallArgs.swift).

/// One generated row: number, name, real argument count, strace classes.
struct SyscallRow {
    let nr: Int
    let name: StaticString
    let nargs: Int
    let classes: SyscallClasses

    init(_ nr: Int, _ name: StaticString, _ nargs: Int, _ classes: SyscallClasses) {
        self.nr = nr
        self.name = name
        self.nargs = nargs
        self.classes = classes
    }
}

/// strace's class letters (src/linux/*/syscallent.h), so the generated rows read like strace's.
extension SyscallClasses {
    static let TF = SyscallClasses.file
    static let TN = SyscallClasses.network
    static let TP = SyscallClasses.process
    static let TS = SyscallClasses.signal
    static let TM = SyscallClasses.memory
    static let TD = SyscallClasses.descriptor
    static let TI = SyscallClasses.ipc
    static let TC = SyscallClasses.creds
    static let TCL = SyscallClasses.clock
    static let TST = SyscallClasses.stat, TLST = SyscallClasses.stat
    static let TFST = SyscallClasses.stat, TSTA = SyscallClasses.stat
    static let TSF = SyscallClasses.statfs, TFSF = SyscallClasses.statfs, TSFA = SyscallClasses.statfs
    static let PU = SyscallClasses.pure
}

/// Everything about one ABI, built on first use.
final class SyscallABITable: @unchecked Sendable {
    let byNumber: [SyscallDesc?]
    let byName: [String: Int]

    init(rows: [SyscallRow], overrides: [String: ArgSpec]) {
        var table = [SyscallDesc?](repeating: nil, count: (rows.map(\.nr).max() ?? -1) + 1)
        var names = [String: Int](minimumCapacity: rows.count)
        // Built at every start of ktrace and kdump, so without needless copies: a name
        // of up to 15 bytes is a String without storage, and most argument lists are
        // shared with their spec.
        for row in rows {
            let name = row.name.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
            let spec = overrides[name] ?? commonArgSpecs[name] ?? ArgSpec()
            let args = spec.args.count <= row.nargs ? spec.args : Array(spec.args.prefix(row.nargs))
            table[row.nr] = SyscallDesc(name: name, nargs: row.nargs, classes: row.classes,
                                        args: args, io: spec.io, structs: spec.structs)
            names[name] = row.nr
        }
        byNumber = table
        byName = names
    }

    static let x86_64 = SyscallABITable(rows: x86_64SyscallRows, overrides: [:])
    static let i386 = SyscallABITable(rows: i386SyscallRows, overrides: i386ArgSpecs)

    @inline(__always)
    static func of(_ arch: LinuxArch) -> SyscallABITable { arch == .x86_64 ? x86_64 : i386 }
}
