#if canImport(Glibc)
import Glibc
#endif

/// Opens the trace file the way FreeBSD's ktrace(1) prepares it, with the caller's
/// permissions: recreated (unlink, then O_CREAT|O_EXCL, mode 0600) or, with -a,
/// appended to after checking it is a regular file owned by the caller. The last
/// path component is never followed if it is a symlink.
public enum TraceFile {
    public static func open(_ path: String, append: Bool) -> Int32 {
        let oldMask = umask(0o077)
        defer { umask(oldMask) }
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW
        var fd: Int32
        if append {
            fd = Glibc.open(path, flags | O_CREAT | O_NONBLOCK, 0o666)
            if fd < 0 { Diagnostics.err(1, path) }
            var st = stat()
            if fstat(fd, &st) != 0 || st.st_uid != getuid() {
                Diagnostics.errx(1, "refuse to append to \(path) not owned by you")
            }
            if st.st_mode & S_IFMT != S_IFREG { Diagnostics.errx(1, "\(path) not regular file") }
            // Writes must block rather than fail with EAGAIN.
            _ = fcntl(fd, F_SETFL, O_WRONLY | O_APPEND)
        } else {
            if unlink(path) != 0 && errno != ENOENT { Diagnostics.err(1, "unlink \(path)") }
            fd = Glibc.open(path, flags | O_CREAT | O_EXCL, 0o666)
            if fd < 0 { Diagnostics.err(1, path) }
        }
        return fd
    }
}
