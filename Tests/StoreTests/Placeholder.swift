import Testing
@testable import Store
@Suite struct StorePlaceholderTests { @Test func moduleLinks() { #expect(Bool(true)) } }
