import ArgumentParser
import ConfigurationFile
import Cadence
import Foundation
import Logging
import Speech
import Store
import TouchBase

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the audio of every message due soon, with a progress bar, so the calls find it ready.",
        discussion: """
            Each contact's next message is rendered for the moment its call is scheduled, with the \
            promise it will speak then, into [speech] sounds_folder. Messages already rendered \
            come from the cache. `touchbase serve` does the same in the background; this is for \
            a first import of many contacts, or to check the voices.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Render the messages of calls due within this many hours.") var hours: Double = 24
    @Option(help: "Renders at once (default: [speech] in_flight).") var inFlight: Int?

    func validate() throws {
        guard hours > 0 else { throw ValidationError("--hours must be above 0") }
        if let inFlight, !(1...64).contains(inFlight) { throw ValidationError("--in-flight must be 1 to 64") }
    }

    func run() async throws {
        let (db, configuration) = try await store.openWithConfiguration()
        var quiet = configuration
        quiet.dialer.enabled = false
        quiet.speech.prerender = false
        let assembly = try TouchBaseAssembly(configuration: quiet, store: db, logger: Logger(label: "touchbase"))
        let now = Date()
        let due = try await db.dueFollowUps(now: now.addingTimeInterval(hours * 3600), limit: 1_000_000)
        let requests = due.map { contact, state in
            let (message, _) = assembly.messages.words(for: contact, state: state, at: MessagePreparation.dialTime(of: state, now: now))
            return SpeechRequest(text: message.text, ssml: message.ssml)
        }
        guard !requests.isEmpty else {
            print("no calls due within \(hours.formatted()) hours; nothing to render")
            return
        }
        let batch = RenderBatch(speaker: assembly.messages.speaker, maximumInFlight: inFlight ?? configuration.speech.inFlight)
        let bar = ProgressBar(total: requests.count)
        let started = ContinuousClock.now
        let terminal = isatty(STDERR_FILENO) == 1
        let outcome = await batch.render(requests) { done, _ in
            if terminal || done == requests.count {
                FileHandle.standardError.write(Data("\r\(bar.line(done: done, elapsed: ContinuousClock.now - started))\(done == requests.count ? "\n" : "")".utf8))
            }
        }
        print("rendered \(requests.count) messages into \(configuration.speech.absoluteSoundsFolder): \(outcome.fromCache) from the cache, \(outcome.synthesized) synthesized, \(outcome.failed) failed")
        for (voice, count) in outcome.byVoice.sorted(by: { $0.key < $1.key }) { print("  \(voice): \(count)") }
        for (index, result) in outcome.results.enumerated() {
            if case .failure(let error) = result { print("  contact \(due[index].contact.id ?? 0): \(error)") }
        }
        if outcome.failed > 0 { throw ExitCode(1) }
    }
}
