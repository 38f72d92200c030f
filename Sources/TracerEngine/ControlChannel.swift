#if canImport(Glibc)
import Glibc
#endif
import CPtrace
import KtraceFormat

/// ktrace(1) talks to running tracers over a Unix socket per tracer, in a
/// directory only its user can write (/tmp/ktrace-UID, mode 0700, checked before
/// use). The server trusts the peer's kernel-reported credentials (SO_PEERCRED),
/// not the file mode alone. A trace file travels as an open descriptor
/// (SCM_RIGHTS), opened by the requesting user with that user's permissions.
public enum ControlChannel {
    public enum Op: Int32 { case set = 0, clear = 1, clearFile = 2, clearAll = 3 }

    /// One request: an operation on one process (or a file, or everything).
    public struct Request {
        public var op: Op
        public var pid: Int32
        public var facilities: UInt32
        public var requesterUid: UInt32 = 0   // filled in by the server from SO_PEERCRED
        public init(op: Op, pid: Int32, facilities: Facilities) {
            self.op = op
            self.pid = pid
            self.facilities = facilities.rawValue
        }
    }

    static let wireSize = 12
    static let replyTextMax = 400

    public static func directory(uid: uid_t) -> String { "/tmp/ktrace-\(uid)" }
    public static func socketPath(uid: uid_t, tracer: Int32) -> String { "\(directory(uid: uid))/\(tracer).sock" }

    /// Creates (or checks) the caller's socket directory; nil with a reason if it
    /// is not a real directory owned by the caller and closed to others.
    static func ensureDirectory() -> String? {
        let dir = directory(uid: getuid())
        _ = mkdir(dir, 0o700)
        var st = stat()
        guard lstat(dir, &st) == 0 else { return "\(dir): \(Diagnostics.errorText(errno))" }
        guard st.st_mode & S_IFMT == S_IFDIR, st.st_uid == getuid(), st.st_mode & 0o077 == 0 else {
            return "\(dir) is not a private directory of yours; remove it"
        }
        return nil
    }

    static func address(_ path: String) -> sockaddr_un? {
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: a.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &a.sun_path) { for (i, b) in bytes.enumerated() { $0[i] = b } }
        return a
    }

    // MARK: client side

    /// Sends `req` (with `fd` attached if >= 0) to tracer `tracer` run by `uid`;
    /// returns (errno-style status, message) or nil if the tracer cannot be reached.
    public static func send(_ req: Request, fd: Int32, tracer: Int32, uid: uid_t) -> (Int32, String)? {
        let path = socketPath(uid: uid, tracer: tracer)
        // The directory must be the tracer owner's own and private, or we would be
        // handing our file to whoever made it.
        var st = stat()
        guard lstat(directory(uid: uid), &st) == 0, st.st_mode & S_IFMT == S_IFDIR,
              st.st_uid == uid, st.st_mode & 0o077 == 0 else { return nil }
        guard var addr = address(path) else { return nil }
        let s = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return nil }
        defer { close(s) }
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else { return nil }
        // The server must be the tracer we meant, run by the user we expect.
        var peerPid: pid_t = 0, peerUid: uid_t = 0
        guard cpt_peer_cred(s, &peerPid, &peerUid) == 0, peerPid == tracer, peerUid == uid else { return nil }
        var wire = [Int32](repeating: 0, count: 3)
        wire[0] = req.op.rawValue; wire[1] = req.pid; wire[2] = Int32(bitPattern: req.facilities)
        guard wire.withUnsafeBytes({ sendWithFd(s, $0, fd) }) else { return nil }
        var reply = [UInt8](repeating: 0, count: 4 + replyTextMax)
        let n = recv(s, &reply, reply.count, 0)
        guard n >= 4 else { return nil }
        let status = reply.withUnsafeBytes { $0.load(as: Int32.self) }
        return (status, String(decoding: reply[4..<n], as: UTF8.self))
    }

    static func sendWithFd(_ s: Int32, _ data: UnsafeRawBufferPointer, _ fd: Int32) -> Bool {
        var iov = iovec(iov_base: UnsafeMutableRawPointer(mutating: data.baseAddress), iov_len: data.count)
        var msg = msghdr()
        let space = cmsgSpace(MemoryLayout<Int32>.size)
        var control = [UInt8](repeating: 0, count: space)
        return withUnsafeMutablePointer(to: &iov) { iovp -> Bool in
            msg.msg_iov = iovp
            msg.msg_iovlen = 1
            return control.withUnsafeMutableBytes { cbuf -> Bool in
                if fd >= 0 {
                    msg.msg_control = cbuf.baseAddress
                    msg.msg_controllen = space
                    let c = cbuf.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                    c.pointee.cmsg_len = cmsgLen(MemoryLayout<Int32>.size)
                    c.pointee.cmsg_level = SOL_SOCKET
                    c.pointee.cmsg_type = Int32(SCM_RIGHTS)
                    (cbuf.baseAddress! + MemoryLayout<cmsghdr>.size).storeBytes(of: fd, as: Int32.self)
                }
                return sendmsg(s, &msg, 0) == data.count
            }
        }
    }

    static func cmsgLen(_ n: Int) -> Int { MemoryLayout<cmsghdr>.size + n }
    static func cmsgSpace(_ n: Int) -> Int { MemoryLayout<cmsghdr>.size + ((n + 7) & ~7) }

    /// The tracers the caller may talk to: its own, and every user's for root.
    public static func reachableTracers() -> [(tracer: Int32, uid: uid_t)] {
        var out: [(Int32, uid_t)] = []
        let uids: [uid_t]
        if getuid() == 0 {
            uids = listDirectory("/tmp").compactMap { $0.hasPrefix("ktrace-") ? uid_t($0.dropFirst(7)) : nil }
        } else {
            uids = [getuid()]
        }
        for uid in uids {
            for name in listDirectory(directory(uid: uid)) where name.hasSuffix(".sock") {
                guard let pid = Int32(name.dropLast(5)) else { continue }
                // A tracer killed outright leaves its socket behind.
                if kill(pid, 0) != 0 && errno == ESRCH {
                    unlink(socketPath(uid: uid, tracer: pid))
                    continue
                }
                out.append((pid, uid))
            }
        }
        return out
    }

    // MARK: server side

    /// A tracer's listening socket and the thread that accepts requests on it.
    final class Server {
        let path: String
        let listener: Int32

        init?() {
            if let problem = ensureDirectory() { Diagnostics.warnx(problem); return nil }
            path = socketPath(uid: getuid(), tracer: getpid())
            unlink(path)
            listener = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard listener >= 0, var addr = address(path) else { return nil }
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard ok == 0, listen(listener, 16) == 0 else { close(listener); return nil }
        }

        /// Removes the socket (the accept thread keeps the object alive, so this is
        /// not left to deinit).
        func remove() { unlink(path) }

        /// Receives one request from connection `c`; nil if it is malformed or the peer
        /// is neither the tracer's user nor root.
        func receive(_ c: Int32) -> (Request, Int32)? {
            var peerPid: pid_t = 0, peerUid: uid_t = 0
            guard cpt_peer_cred(c, &peerPid, &peerUid) == 0 else { return nil }
            guard peerUid == getuid() || peerUid == 0 else {
                reply(c, EPERM, "requests are accepted only from uid \(getuid()) or root")
                return nil
            }
            var wire = [Int32](repeating: 0, count: 3)
            var iov = iovec()
            var msg = msghdr()
            let space = cmsgSpace(MemoryLayout<Int32>.size)
            var control = [UInt8](repeating: 0, count: space)
            var fd: Int32 = -1
            let n = wire.withUnsafeMutableBytes { w -> Int in
                iov = iovec(iov_base: w.baseAddress, iov_len: w.count)
                return withUnsafeMutablePointer(to: &iov) { iovp in
                    control.withUnsafeMutableBytes { cbuf in
                        msg.msg_iov = iovp
                        msg.msg_iovlen = 1
                        msg.msg_control = cbuf.baseAddress
                        msg.msg_controllen = space
                        let r = recvmsg(c, &msg, Int32(MSG_CMSG_CLOEXEC))
                        if r > 0 && msg.msg_controllen >= cmsgLen(4) {
                            let h = cbuf.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                            if h.pointee.cmsg_level == SOL_SOCKET && h.pointee.cmsg_type == Int32(SCM_RIGHTS) {
                                fd = (cbuf.baseAddress! + MemoryLayout<cmsghdr>.size).load(as: Int32.self)
                            }
                        }
                        return r
                    }
                }
            }
            guard n == wireSize, let op = Op(rawValue: wire[0]) else {
                if fd >= 0 { close(fd) }
                return nil
            }
            var req = Request(op: op, pid: wire[1], facilities: Facilities(rawValue: UInt32(bitPattern: wire[2])))
            req.requesterUid = peerUid
            return (req, fd)
        }

        func reply(_ c: Int32, _ status: Int32, _ text: String) {
            var bytes = [UInt8](repeating: 0, count: 4)
            withUnsafeBytes(of: status) { for i in 0..<4 { bytes[i] = $0[i] } }
            bytes += Array(text.utf8.prefix(replyTextMax))
            _ = Glibc.send(c, bytes, bytes.count, Int32(MSG_NOSIGNAL))
        }
    }
}

func listDirectory(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
