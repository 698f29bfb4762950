import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `touchbase` executable, found beside the test bundle, in a folder of its own.
struct TouchBaseBinary {
    /// What one run left: its exit status and what it wrote.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The lines on stderr, without empty ones.
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Where standard input comes from.
    enum Input {
        case devNull
        case file(URL)
        /// These bytes written into a pipe, which is then closed.
        case pipe([UInt8])
    }

    /// The executable: `swift build --build-tests` puts it in the same folder as the test bundle.
    static let url: URL = {
        final class Marker {}
        let bundle = Bundle(for: Marker.self).bundleURL
        let candidates = [bundle.deletingLastPathComponent(), bundle, Bundle.main.bundleURL,
                          Bundle.main.bundleURL.deletingLastPathComponent()]
        return candidates.map { $0.appendingPathComponent("touchbase") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
            ?? candidates[0].appendingPathComponent("touchbase")
    }()

    /// A fresh folder the run works in (its database, its sounds).
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Runs `touchbase ARGUMENTS` with the given stdin; stdout and stderr go to regular files.
    /// A run still going after 60 seconds is terminated.
    func run(_ arguments: [String], stdin input: Input = .devNull) throws -> Run {
        // A child that stops reading must fail our write, not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = Self.url
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TOUCHBASE_") }
        let out = folder.appendingPathComponent("stdout-\(UUID().uuidString)")
        let err = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
        try Data().write(to: out)
        try Data().write(to: err)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        var feed: (Pipe, [UInt8])?
        switch input {
        case .devNull: process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        case .file(let url): process.standardInput = try FileHandle(forReadingFrom: url)
        case .pipe(let bytes):
            let pipe = Pipe()
            process.standardInput = pipe
            feed = (pipe, bytes)
        }
        try process.run()
        if let (pipe, bytes) = feed {
            let writer = pipe.fileHandleForWriting
            Thread {
                try? writer.write(contentsOf: Data(bytes))
                try? writer.close()
            }.start()
        }
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning {
            if Date() > deadline { process.terminate() }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return Run(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// Writes `text` into a file in the run's folder and returns its URL.
    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}
