import Foundation
import Testing
import ConfigurationFile

@Suite("touchbase.example.toml")
struct ExampleConfigurationTests {
    @Test("the example file in the repository parses and holds exactly the embedded defaults")
    func exampleIsTheDefaults() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let path = url.appendingPathComponent("touchbase.example.toml").path
        let example = try TouchBaseConfiguration.load(from: path)
        let defaults = TouchBaseConfiguration()
        #expect(example.agi.host == defaults.agi.host && example.agi.port == defaults.agi.port)
        #expect(example.databasePath == defaults.databasePath)
        #expect(example.policy == defaults.policy)
        #expect(example.speech == defaults.speech)
        #expect(example.calls == defaults.calls)
        #expect(example.dialer.pacing == defaults.dialer.pacing)
        #expect(example.dialer.ringSeconds == defaults.dialer.ringSeconds)
        #expect(example.dialer.reportTimeoutSeconds == defaults.dialer.reportTimeoutSeconds)
        #expect(example.audioSocket.host == defaults.audioSocket.host && example.audioSocket.port == defaults.audioSocket.port)
        #expect(example.greeting == defaults.greeting)
        #expect(example.metrics == defaults.metrics)
        #expect(example.console == defaults.console)
        #expect(example.audio == defaults.audio)
        #expect(example.warnings.isEmpty)
    }
}
