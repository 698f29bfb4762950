import Testing
@testable import Cadence
@Suite struct CadencePlaceholderTests { @Test func moduleLinks() { #expect(Bool(true)) } }
