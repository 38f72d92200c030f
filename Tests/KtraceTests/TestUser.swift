import Foundation
import XCTest

/// An unprivileged user for tests that must show what another user cannot do.
/// Created (as root) on first use; commands run as it through setpriv(1).
struct TestUser {
    static let name = "ktracetest"
    let uid: uid_t
    let gid: gid_t

    static func ensure() throws -> TestUser {
        if getpwnam(name) == nil {
            let r = runProcess("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
            guard r.status == 0 else { throw XCTSkip("NOT RUN: useradd \(name) failed: \(r.err)") }
        }
        guard let pw = getpwnam(name) else { throw XCTSkip("NOT RUN: no user \(name)") }
        return TestUser(uid: pw.pointee.pw_uid, gid: pw.pointee.pw_gid)
    }

    /// Runs `command` as this user in `cwd`, which is handed over to the user first.
    func run(_ command: [String], cwd: String, file: StaticString = #filePath, line: UInt = #line) -> RunResult {
        chown(cwd, uid, gid)
        let script = "cd \"$1\" && shift && exec \"$@\""
        return runProcess("/usr/bin/setpriv",
                          ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", "/bin/sh", "-c", script, "sh", cwd] + command,
                          file: file, line: line)
    }
}
