import Testing
@testable import Speech
@Suite struct SpeechPlaceholderTests { @Test func moduleLinks() { #expect(Bool(true)) } }
