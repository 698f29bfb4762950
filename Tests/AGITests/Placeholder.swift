import Testing
@testable import AGI
@Suite struct AGIPlaceholderTests { @Test func moduleLinks() { #expect(Bool(true)) } }
