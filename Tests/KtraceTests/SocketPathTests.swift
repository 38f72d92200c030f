import Foundation
import KtraceFormat
import XCTest

/// The `n` facility covers the path of an AF_UNIX address the kernel looks up.
final class SocketPathTests: KtraceTestCase {
    func testUnixBindAndConnectGiveNamiOfTheSocketPath() throws {
        let dir = makeTempDir()
        let sock = dir + "/s.sock"
        let script = "import socket\ns=socket.socket(socket.AF_UNIX)\ns.bind('\(sock)')\ns.listen()\n" +
            "c=socket.socket(socket.AF_UNIX)\nc.connect('\(sock)')\n" +
            "a=socket.socket(socket.AF_UNIX)\na.bind('\\0ktrace-abstract')\n"
        let t = trace([], options: ["-t", "cnt"], command: ["/usr/bin/python3", "-c", script])
        XCTAssertEqual(t.run.status, 0, t.run.err)
        for name in ["bind", "connect"] {
            let i = try XCTUnwrap(t.records.firstCall(name), name)
            let after = t.records.sequence(afterCall: i)
            XCTAssertEqual(after.map(\.type), [.structure, .namei, .sysret], name)
            XCTAssertEqual(after[1].path, sock, name)
        }
        // An abstract address is no file name: no NAMI.
        let binds = t.records.indices.filter { t.records[$0].isCall("bind") }
        XCTAssertEqual(binds.count, 2)
        XCTAssertEqual(t.records.sequence(afterCall: binds[1]).map(\.type), [.structure, .sysret])
        // -t n alone still gives the path.
        let n = trace([], options: ["-t", "n"], command: ["/usr/bin/python3", "-c", script.replacingOccurrences(of: "s.sock", with: "n.sock")])
        XCTAssertTrue(n.records.contains { $0.path == dir + "/n.sock" })
    }
}
