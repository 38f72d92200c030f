// swift-tools-version:6.0
import PackageDescription

// Language mode 5 everywhere: the tracer is a single-threaded event loop plus one
// writer thread synchronised by hand, which Swift 6's strict Sendable checking
// would only obscure.
let v5: [SwiftSetting] = [.swiftLanguageMode(.v5), .unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

// Release tools carry the Swift runtime in the binary: loading its shared libraries
// took about 2 ms of each start. ktrace is linked fully static (libc and libseccomp
// too): no dynamic loading at all, about 1 ms less per traced command. kdump keeps
// glibc shared, for the user and group names of -r (NSS cannot be linked in).
let staticStdlib: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
let staticExecutable: [LinkerSetting] = [.unsafeFlags(["-static-executable"], .when(configuration: .release))]

let package = Package(
    name: "ktrace",
    products: [
        .executable(name: "ktrace", targets: ["ktrace"]),
        .executable(name: "kdump", targets: ["kdump"]),
        .library(name: "KtraceFormat", targets: ["KtraceFormat"]),
    ],
    targets: [
        // Bytes only: record layouts, reading and writing. No ptrace, no printing.
        .target(name: "KtraceFormat", swiftSettings: v5),
        // Linux knowledge shared by tracer and decoder: syscalls, errno, signals, flags, structs.
        .target(name: "LinuxABI", dependencies: ["KtraceFormat"], swiftSettings: v5),
        // kdump: decode records once, render them as FreeBSD text or JSON Lines.
        .target(name: "KdumpCore", dependencies: ["KtraceFormat", "LinuxABI"], swiftSettings: v5),
        // Thin C shims for ptrace, wait status macros and seccomp where Swift cannot call C directly.
        .target(name: "CPtrace"),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        // The tracer: tracee table, event loop, request pool, writer.
        .target(name: "TracerEngine", dependencies: ["KtraceFormat", "LinuxABI", "CPtrace", "CSeccomp"], swiftSettings: v5),
        .executableTarget(name: "ktrace", dependencies: ["TracerEngine"], swiftSettings: v5, linkerSettings: staticExecutable),
        .executableTarget(name: "kdump", dependencies: ["KdumpCore"], swiftSettings: v5, linkerSettings: staticStdlib),
        // utrace(2) for Linux: a tiny C library a traced program links to emit USER records.
        .target(name: "KtraceUtrace"),
        // One C program with many small scenarios for the integration tests.
        .executableTarget(name: "ktrace-testprog", dependencies: ["KtraceUtrace"],
                          linkerSettings: [.linkedLibrary("pthread")]),
        .testTarget(name: "LinuxABITests", dependencies: ["LinuxABI", "KtraceFormat"], swiftSettings: v5),
        .testTarget(name: "KdumpTests", dependencies: ["KtraceFormat", "LinuxABI", "kdump"], swiftSettings: v5),
        .testTarget(name: "KtraceTests", dependencies: ["KtraceFormat", "LinuxABI", "ktrace", "kdump", "ktrace-testprog"], swiftSettings: v5),
    ]
)
