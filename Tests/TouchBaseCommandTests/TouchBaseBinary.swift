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
        /// How long it ran.
        var seconds: Double
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
    /// A run still going after `limit` seconds is killed.
    ///
    /// - Parameter whenStderrHolds: once stderr holds this text, `then` is called with the
    ///   running process (to signal it).
    func run(_ arguments: [String], stdin input: Input = .devNull, limit: TimeInterval = 60,
             whenStderrHolds: (text: String, then: (Process) -> Void)? = nil) throws -> Run {
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
        let started = Date()
        var waiting = whenStderrHolds
        while process.isRunning {
            if Date().timeIntervalSince(started) > limit { kill(process.processIdentifier, SIGKILL) }
            if let (text, then) = waiting, (try? String(contentsOf: err, encoding: .utf8))?.contains(text) == true {
                then(process)
                waiting = nil
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return Run(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8),
                   seconds: Date().timeIntervalSince(started))
    }

    /// Writes `touchbase.toml` into the run's folder, the database and the sounds folder (its
    /// name `soundsFolder`) inside it and pre-rendering off, then `settings`; returns its path.
    func configuration(_ settings: String, soundsFolder: String = "sounds") throws -> String {
        let base = """
            [database]
            path = "\(folder.path)/touchbase.sqlite"
            [speech]
            sounds_folder = "\(folder.path)/\(soundsFolder)"
            prerender = false
            """
        return try write(Array((base + "\n" + settings).utf8), to: "touchbase.toml").path
    }

    /// Writes `text` into a file in the run's folder and returns its URL.
    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}
