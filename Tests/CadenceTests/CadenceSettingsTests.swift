import Cadence
import Settings
import Testing

/// The cadence reads its own sections from a neutral table, whatever file format it came in.
@Suite("Cadence settings from a table")
struct CadenceSettingsTests {
    @Test("[cadence] read from a table keeps defaults for what it leaves out")
    func policy() throws {
        var reader = SettingsReader(table: SettingsTable([
            "calling_hours": .table(SettingsTable(["tue": .string("10:00-12:00")])),
            "holidays": .array([.string("2028-02-29")]),
            "dials_per_step": .integer(2),
        ]), path: "cadence")
        let policy = try CallingPolicy(reading: &reader)
        try reader.rejectUnknownKeys()
        #expect(policy.callingHours == [3: ClockTime(10)...ClockTime(12)])
        #expect(policy.holidays == ["2028-02-29"] && policy.dialsPerStep == 2)
        #expect(policy.retryGapMinutes == CallingPolicy().retryGapMinutes)
    }

    @Test("a problem names the key and its severity; the file and line are the configuration layer's to add")
    func problem() {
        var reader = SettingsReader(table: SettingsTable(["holidays": .array([.string("2026-02-30")])]), path: "cadence")
        #expect(throws: SettingsProblem(.error, key: "cadence.holidays",
                                        message: "entry \"2026-02-30\" is not a date of the calendar written YYYY-MM-DD")) {
            try CallingPolicy(reading: &reader)
        }
    }

    @Test("[calls] refuses a country code that is not 1 to 3 digits")
    func calls() throws {
        var reader = SettingsReader(table: SettingsTable(["country_code": .string("+44")]), path: "calls")
        #expect(throws: SettingsProblem(.error, key: "calls.country_code", message: "must be 1 to 3 digits")) {
            try CallHandlingSettings(reading: &reader)
        }
    }
}
