import Foundation
import KtraceFormat
import XCTest

/// Runs the real kdump executable on trace files built with RecordBuilder.
class KdumpTestCase: XCTestCase {
    struct Result {
        var out: String
        var err: String
        var status: Int32
    }

    /// The prefix of every line for the builder's defaults (pid 1, comm "test").
    static let p = "     1 test     "

    private var tempFiles: [URL] = []

    override func tearDown() {
        for f in tempFiles { try? FileManager.default.removeItem(at: f) }
        tempFiles = []
        super.tearDown()
    }

    /// kdump sits next to the test bundle in the build directory (.build/debug/kdump).
    static let kdumpURL: URL = {
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle(for: KdumpTestCase.self).bundleURL.deletingLastPathComponent())
        for dir in candidates {
            var d = dir
            for _ in 0..<4 {
                let c = d.appendingPathComponent("kdump")
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir), !isDir.boolValue { return c }
                d = d.deletingLastPathComponent()
            }
        }
        fatalError("kdump executable not found next to the test bundle")
    }()

    /// Writes the records `build` appends (and any raw `tail` bytes) to a temporary file.
    func trace(tail: [UInt8] = [], _ build: (inout RecordBuilder) -> Void) -> String {
        var b = RecordBuilder()
        build(&b)
        return file(b.out.array + tail)
    }

    func file(_ bytes: [UInt8]) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kdump-test-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        tempFiles.append(url)
        return url.path
    }

    func run(_ args: [String], stdin: Data? = nil) -> Result {
        let p = Process()
        p.executableURL = KdumpTestCase.kdumpURL
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try! p.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self),
                      status: p.terminationStatus)
    }

    /// Dumps `file` with `options` and checks stdout exactly, an empty stderr and exit 0.
    func assertDump(_ file: String, _ options: [String] = [], _ expected: String,
                    file f: StaticString = #filePath, line: UInt = #line) {
        let r = run(options + ["-f", file])
        XCTAssertEqual(r.out, expected, file: f, line: line)
        XCTAssertEqual(r.err, "", file: f, line: line)
        XCTAssertEqual(r.status, 0, file: f, line: line)
    }

    /// Checks that kdump fails with `error` on stderr, after printing `expectedOut`.
    func assertFails(_ args: [String], out expectedOut: String = "", err: String,
                     file f: StaticString = #filePath, line: UInt = #line) {
        let r = run(args)
        XCTAssertEqual(r.out, expectedOut, file: f, line: line)
        XCTAssertEqual(r.err, err, file: f, line: line)
        XCTAssertEqual(r.status, 1, file: f, line: line)
    }

    /// A Linux x86-64 process: PROCCTOR first, as the tracer writes it.
    func linux(_ build: (inout RecordBuilder) -> Void) -> String {
        trace { b in
            b.procctor()
            build(&b)
        }
    }

    /// Parses JSON Lines output into objects.
    func jsonLines(_ s: String, file f: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        s.split(separator: "\n").compactMap { l in
            let o = try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any]
            XCTAssertNotNil(o, "not a JSON object: \(l)", file: f, line: line)
            return o
        }
    }
}

/// Checks that `object` has each member of `expected` with an equal value (compared as
/// their canonical JSON text).
func assertMembers(_ object: [String: Any], _ expected: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
    for (k, v) in expected.sorted(by: { $0.key < $1.key }) {
        guard let actual = object[k] else { XCTFail("missing member \(k)", file: file, line: line); continue }
        XCTAssertEqual(canonicalJSON(actual), canonicalJSON(v), k, file: file, line: line)
    }
}

func canonicalJSON(_ v: Any) -> String {
    let data = try? JSONSerialization.data(withJSONObject: [v], options: [.sortedKeys])
    return data.map { String(decoding: $0, as: UTF8.self) } ?? "<not JSON: \(v)>"
}

/// Little-endian bytes of integers, for struct payloads.
func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
