import ArgumentParser
import ConfigurationFile
import Cadence
import Dialer
import Foundation
import Store
import TouchBase

/// Options for commands that open the database.
struct StoreOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The SQLite database (default: $TOUCHBASE_DATABASE, else [database] url or path, else ./touchbase.sqlite).")
    var database: String?

    // Hidden: a small page in the tests proves the pages join, a large one is for benchmarks.
    @Option(name: .long, help: ArgumentHelp("Rows per read from the store (and contacts per batch of an import).", visibility: .hidden))
    var pageSize = 1000

    func open() async throws -> any Store {
        try await openWithConfiguration().store
    }

    func openWithConfiguration() async throws -> (store: any Store, configuration: TouchBaseConfiguration) {
        let logger = global.bootstrapLogging(quiet: true)
        let configuration = try global.loadConfiguration(logger: logger)
        let path = database ?? ProcessInfo.processInfo.environment["TOUCHBASE_DATABASE"]
        return (try await configuration.openStore(path: path, logger: logger), configuration)
    }
}

struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Import, list and inspect the people to follow up with.",
        subcommands: [Import.self, List.self, Show.self, DoNotCall.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import contacts from a CSV file; a re-import updates contacts by phone number.",
            discussion: "Columns: name, phone, time_zone, owner, owner_dial, callback, company, connection, topic, campaign (see README). Any bad row is reported with its line number and nothing is imported.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The CSV file; - (or a pipe such as /dev/stdin) reads standard input.") var file: String
        @Option(help: "Time zone for rows without one, e.g. America/New_York.") var defaultTimeZone: String?
        @Option(help: "Owner for rows without one.") var owner: String?
        @Option(help: "Owner's dial string for rows without one, e.g. PJSIP/101.") var ownerDial: String?
        @Option(help: "Callback number for rows without one.") var callback: String?
        @Option(help: "Company for rows without one.") var company: String?
        @Option(help: "Country calling code for numbers written without one.") var countryCode: String = "1"

        func run() async throws {
            let importer = ContactImport(defaults: .init(timeZone: defaultTimeZone, owner: owner, ownerDial: ownerDial,
                                                         callback: callback, company: company, countryCode: countryCode),
                                         ownerDialProblem: DialString.problemForDial)
            // Checked and stored a batch at a time in the store's one transaction: a bad row
            // anywhere rolls back every batch before it.
            // The file is read twice (all of it checked as UTF-8 first), which a pipe cannot be:
            // standard input and pipes are copied into a private temporary file first.
            let spooled = try SpooledInput(file)
            defer { spooled?.remove() }
            let name = file == "-" ? "standard input" : file
            guard let batches = try importer.batches(path: spooled?.path ?? file, size: store.pageSize, named: name) else {
                throw ImportFileError(description: "\(file) cannot be read: no such file, a folder, or no permission")
            }
            let (db, configuration) = try await store.openWithConfiguration()
            let summary = try await db.importContacts(batches, now: Date(), policy: configuration.policy)
            print("imported \(summary.inserted + summary.updated) contacts from \(name): \(summary.inserted) new, \(summary.updated) updated")
        }
    }

    /// A CSV file that cannot be read: exit 1 with the reason, not the usage text.
    struct ImportFileError: Error, CustomStringConvertible {
        var description: String
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List contacts with where their follow-up stands.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let db = try await store.open()
            var times = LocalTimes()
            try await Format.printTable(header: ["ID", "NAME", "PHONE", "TIME ZONE", "OWNER", "STATE", "NEXT MESSAGE", "NEXT CALL"]) { emit in
                try await db.forEachContactStanding(pageSize: store.pageSize) { page in
                    emit(page.map { standing in
                        let contact = standing.contact
                        return [String(contact.id!), contact.name, contact.phone, contact.timeZone, contact.owner.name,
                                standing.phase ?? "-", standing.step.map { String($0.rawValue) } ?? "-",
                                standing.nextCallStart.map { times.string($0, contact.timeZone) } ?? "-"]
                    })
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a contact's timeline: each call, each message, the next call and its promise.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The contact's id.") var id: Int64

        func run() async throws {
            let db = try await store.open()
            guard let contact = try await db.contact(id: id) else { throw ValidationError("no contact with id \(id)") }
            let state = try await db.followUp(contactID: id)
            print("\(contact.name)  \(contact.phone)  \(contact.timeZone)")
            print("owner: \(contact.owner.name) (\(contact.owner.dialString)), company: \(contact.company)")
            if !contact.connection.isEmpty { print("connection: \(contact.connection)") }
            if !contact.topic.isEmpty { print("topic: \(contact.topic)") }
            if contact.doNotCall { print("on the do-not-call list") }
            print("")
            for call in try await db.calls(contactID: id) {
                var line = "\(Format.local(call.startedAt, contact.timeZone))  message \(call.step.rawValue), call \(call.dialNumber): \(call.outcome?.logValue ?? "in progress")"
                if let left = call.messageLeft { line += ", message \(left.rawValue) left" }
                if let note = call.note { line += " — \(note)" }
                print(line)
            }
            for message in try await db.messages(contactID: id) {
                print("\(Format.local(message.renderedAt, contact.timeZone))  message \(message.step.rawValue) rendered\(message.voice.map { " (\($0))" } ?? ""): \(message.text)")
            }
            guard let state else { return }
            print("")
            switch state.phase {
            case .active:
                print("next: message \(state.step.rawValue), \(state.messagesLeft) left so far")
                if let next = state.nextCall { print("next call: \(Format.local(next.start, contact.timeZone)) – \(Format.local(next.end, contact.timeZone))") }
                if let promise = state.promise { print("promised: \"\(promise.phrase)\"") }
            case .parked(let until, let note):
                print("parked in the pipeline until \(Format.local(until, contact.timeZone)): \(note)")
            case .stopped(let reason):
                print("stopped: \(reason)")
            case .reached, .responded:
                print("follow-up ended: \(state.phase.name)")
            }
        }
    }

    struct DoNotCall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dnc", abstract: "Put a contact on the do-not-call list; the follow-up stops.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The contact's id.") var id: Int64

        func run() async throws {
            try await store.open().setDoNotCall(contactID: id, now: Date())
            print("contact \(id) is on the do-not-call list; no more calls")
        }
    }
}

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Print the outcome log: every call.")
    enum OutputFormat: String, ExpressibleByArgument { case table, csv, json }

    @OptionGroup var store: StoreOptions
    @Option(help: "table, csv or json.") var format: OutputFormat = .table
    @Option(help: "Only this contact's calls.") var contact: Int64?

    func run() async throws {
        let db = try await store.open()
        // asterisk_uniqueid and asterisk_linkedid are the CDR's uniqueid and linkedid columns:
        // the join to Asterisk's Master.csv (README, "Joining the log to Asterisk's CDRs").
        let header = ["call_id", "contact_id", "contact", "origin", "step", "dial", "started_at", "ended_at", "outcome",
                      "message_left", "played_share", "voice", "next_call", "promise", "asterisk_uniqueid", "asterisk_linkedid",
                      "note"]
        // Every format is written a page at a time, so a log of millions of calls streams; the
        // table reads the log twice, once for its column widths.
        if format == .table {
            try await Format.printTable(header: header.map { $0.uppercased() }) { emit in
                try await db.forEachCallPage(contactID: contact, pageSize: store.pageSize) { page in emit(page.map(Self.row)) }
            }
            return
        }
        var first = true
        if format == .csv { print(Format.csv([header])) }
        if format == .json { print("[") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try await db.forEachCallPage(contactID: contact, pageSize: store.pageSize) { page in
            if format == .csv {
                print(Format.csv(page.map(Self.row)))
                return
            }
            for call in page {
                print((first ? "" : ",\n") + String(decoding: try encoder.encode(call), as: UTF8.self), terminator: "")
                first = false
            }
        }
        if format == .json { print(first ? "]" : "\n]") }
    }

    static func row(_ c: CallRecord) -> [String] {
        [c.callID, String(c.contactID), c.contactName, c.origin.rawValue, String(c.step.rawValue), String(c.dialNumber),
         Format.iso(c.startedAt), c.endedAt.map(Format.iso) ?? "", c.outcome?.logValue ?? "", c.messageLeft.map { String($0.rawValue) } ?? "",
         c.playedShare.map { String(format: "%.2f", $0) } ?? "", c.voice ?? "", c.nextCallStart.map(Format.iso) ?? "",
         c.promise ?? "", c.asteriskUniqueID ?? "", c.asteriskLinkedID ?? "", c.note ?? ""]
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Per step: dials, voicemails, messages left, reached, responded, parked.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let db = try await store.open()
        // Counted by the store in one GROUP BY (the console's Report reads the same counts), so
        // no call is decoded here whatever the log's length.
        var rows: [[String]] = [["STEP", "DIALS", "VOICEMAILS", "MESSAGES LEFT", "REACHED", "RESPONDED", "PARKED", "STOPPED"]]
        for total in WeeklyStepCounts.perStep(try await db.weeklyCounts()) {
            rows.append([String(total.step.rawValue)] + total.counts.map(String.init))
        }
        print(Format.table(rows))
    }
}

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the real cadence and store over a simulated clock and check the follow-up rules.")

    // .unconditional: `--contacts -1` must reach validate() and be told what is wrong with -1,
    // not be read as an option and reported as a missing value.
    @Option(parsing: .unconditional, help: "How many contacts.") var contacts: Int = 1000
    @Option(parsing: .unconditional, help: "How many days.") var days: Int = 60
    @Option(help: "The random seed; the same seed gives the same run.") var seed: UInt64 = 1
    @Option(help: "Chance that a call reaches voicemail.") var voicemail: Double = 0.55
    @Option(help: "Chance of no answer.") var noAnswer: Double = 0.2
    @Option(help: "Chance of busy.") var busy: Double = 0.07
    @Option(help: "Chance a person answers.") var human: Double = 0.08
    @Option(help: "Chance the number does not exist.") var invalidNumber: Double = 0.01
    @Option(help: "Chance the callee hangs up during the message.") var cutShort: Double = 0.04
    @Option(help: "Chance a contact calls back after a message.") var callback: Double = 0.1
    @Option(help: "Run on this empty PostgreSQL database instead of in memory (postgres://user@host:port/database; the password from $TOUCHBASE_DB_PASSWORD).")
    var postgres: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard contacts > 0 else { throw ValidationError("--contacts must be a whole number above 0, not \(contacts)") }
        guard days > 0 else { throw ValidationError("--days must be a whole number above 0, not \(days)") }
        let odds = [voicemail, noAnswer, busy, human, invalidNumber, cutShort, callback]
        guard odds.allSatisfy({ (0...1).contains($0) }), voicemail + noAnswer + busy + human + invalidNumber + cutShort <= 1 else {
            throw ValidationError("each chance must be between 0 and 1, and the call outcomes together at most 1")
        }
    }

    func run() async throws {
        var odds = FollowUpSimulation.Odds()
        (odds.voicemail, odds.noAnswer, odds.busy, odds.human, odds.invalidNumber, odds.cutShort, odds.callbackAfterMessage) =
            (voicemail, noAnswer, busy, human, invalidNumber, cutShort, callback)
        let logger = global.bootstrapLogging(quiet: true)
        let configuration = try global.loadConfiguration(logger: logger)
        let report = try await FollowUpSimulation(contacts: contacts, days: days, seed: seed, odds: odds,
                                                  policy: configuration.policy).run(on: try await SimulationStore.open(postgres, logger: logger))
        print("simulated \(report.contacts) contacts over \(report.days) days in \(String(format: "%.1f", report.seconds)) s (seed \(seed))")
        print("calls:                       \(report.calls)")
        print("messages left:               \(report.messages)")
        print("most messages, one contact:  \(report.mostMessagesForOneContact)  (must be at most 3)")
        print("calls outside calling hours: \(report.callsOutsideCallingHours)  (must be 0)")
        print("promises kept:               \(report.promisesKept) of \(report.promisesMade) = \(String(format: "%.1f", report.promisesKeptPercent))%  (must be 100%)")
        print("final states:                " + report.finalStates.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if report.mostMessagesForOneContact > 3 || report.callsOutsideCallingHours > 0 || report.promisesKept != report.promisesMade {
            throw ExitCode(1)
        }
    }
}
