import Testing
@testable import TouchBase
@Suite struct TouchBasePlaceholderTests { @Test func moduleLinks() { #expect(Bool(true)) } }
