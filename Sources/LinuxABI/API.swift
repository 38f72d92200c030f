import KtraceFormat

// Public entry points of the knowledge layer. Bodies are filled in by the tables
// (SyscallTable*.swift, Errno.swift, Signals.swift, Xlat*.swift).

public enum Syscalls {
    /// Indexed by syscall number; nil for numbers Linux does not define on that ABI.
    public static func table(_ arch: LinuxArch) -> [SyscallDesc?] { [] }

    public static func lookup(_ arch: LinuxArch, _ nr: Int) -> SyscallDesc? {
        let t = table(arch)
        return nr >= 0 && nr < t.count ? t[nr] : nil
    }

    public static func number(named name: String, _ arch: LinuxArch) -> Int? {
        table(arch).firstIndex { $0?.name == name }
    }
}

/// Linux errno numbers (positive), names and strerror texts.
public enum LinuxErrno {
    /// "ENOENT"
    public static func name(_ e: Int32) -> String? { nil }
    /// "No such file or directory" (glibc's text)
    public static func text(_ e: Int32) -> String? { nil }
}

/// Linux signal numbers, names and si_code names.
public enum LinuxSignals {
    /// "SIGINT"
    public static func name(_ sig: Int32) -> String? { nil }
    /// "SI_USER", "SEGV_MAPERR", "CLD_EXITED", ... for this signal.
    public static func codeName(signal: Int32, code: Int32) -> String? { nil }
}

/// Appends one CALL argument as kdump shows it.
public enum ArgumentFormatter {
    /// - fancy: symbolic decoding (kdump without -n); decimal: -d.
    public static func append(_ desc: SyscallDesc?, args: SyscallPayload, index: Int,
                              fancy: Bool, decimal: Bool, into out: ByteBuffer) {
        let v = UInt64(bitPattern: args[index])
        if decimal { out.appendDecimal(args[index]) } else { out.appendAltHex(v) }
    }
}
