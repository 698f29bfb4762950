import ArgumentParser
import Cadence
import ConfigurationFile
import Foundation
import Logging
import Scripts
import Speech
import Store

struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print a contact's messages as they would be spoken now, with the real promised times.",
        discussion: "With --audio, renders them with the configuration's voices ([speech]: the voice, the fallback, espeak-ng unless local_engine = \"none\") into its sounds folder, and says where the files are.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The contact's id.") var contact: Int64
    @Option(help: "Only this message (1, 2 or 3).") var step: Int?
    @Option(help: "A folder of message templates (default: [speech] templates, else the built-in ones).") var templates: String?
    @Flag(help: "Render the audio too.") var audio = false
    @Option(help: "Speak with the Piper server at this URL instead of [speech.voice].") var piperURL: String?
    @Option(help: "Write the audio here instead of [speech] sounds_folder.") var sounds: String?

    func run() async throws {
        let (db, configuration) = try await store.openWithConfiguration()
        guard let person = try await db.contact(id: contact) else { throw ValidationError("no contact with id \(contact)") }
        let state = try await db.followUp(contactID: contact) ?? FollowUpState()
        var speech = configuration.speech
        if let piperURL { speech.voice = VoiceSettings(provider: "piper", url: piperURL) }
        if let sounds { speech.soundsFolder = sounds }
        let scripts = try (templates ?? speech.templatesFolder).map { try MessageScripts(folder: $0) } ?? MessageScripts()
        for warning in scripts.warnings { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
        let steps: [MessageStep]
        if let step {
            guard let chosen = MessageStep(rawValue: step) else { throw ValidationError("--step must be 1, 2 or 3") }
            steps = [chosen]
        } else {
            steps = MessageStep.allCases
        }
        let now = Date()
        let speaker: MessageSpeaker
        do {
            speaker = try speech.makeSpeaker(environment: ProcessInfo.processInfo.environment, logger: Logger(label: "touchbase"))
        } catch {
            throw GlobalOptions.fail(configuration.located(error))
        }
        for step in steps {
            var before = state
            before.step = step
            let promise = FollowUp.promise(forLeaving: step, contact: person, state: before, now: now, policy: configuration.policy)
            let variables = MessageVariables(contactName: person.name, ownerName: person.owner.name, company: person.company,
                                             connection: person.connection, topic: person.topic,
                                             callbackNumber: person.owner.callbackNumber, promise: promise?.phrase ?? "")
            let message = scripts.render(step, variables, owner: person.owner.name, campaign: person.campaign)
            print("message \(step.rawValue) (\(message.templateSource), about \(Int(message.estimatedSeconds.rounded())) s):")
            print("  \(message.text)")
            if let promise { print("  next call if left now: \(Format.local(promise.window.start, person.timeZone)) – \(Format.local(promise.window.end, person.timeZone))") }
            if audio {
                let rendered = try await speaker.render(SpeechRequest(text: message.text, ssml: message.ssml))
                print("  audio: \(rendered.path).sln16 and .ulaw, \(String(format: "%.1f", Double(rendered.samples) / 16_000)) s, voice \(rendered.voice)")
            }
        }
    }
}
