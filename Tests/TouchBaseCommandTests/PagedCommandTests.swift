import Cadence
import Foundation
import PostgresStore
import Store
import StoreTestSupport
import Testing

/// `contacts list`, `log`, `report` and `contacts import` read and write a page at a time; a
/// page size of one or two rows proves the pages are joined right.
@Suite("Commands a page at a time, the built executable, on SQLite and PostgreSQL")
struct PagedCommandTests {
    /// A folder with the built executable, and the options that point it at a store of `kind`.
    struct Site {
        let touchbase: TouchBaseBinary
        let options: [String]
        let open: @Sendable () async throws -> any Store

        init(_ kind: StoreKind) async throws {
            let touchbase = try TouchBaseBinary()
            self.touchbase = touchbase
            switch kind {
            case .sqlite:
                options = []
                let path = touchbase.folder.appendingPathComponent("touchbase.sqlite").path
                open = { try SQLiteStore(path: path) }
            case .postgres:
                let url = try await PostgresTestServer.freshDatabase()
                let config = try touchbase.write(Array("[database]\nurl = \"\(url)\"\ntls = \"disable\"\n".utf8), to: "pg.toml")
                options = ["--config", config.path]
                open = { try await PostgresStore(configuration: try PostgresStoreConfiguration(url: url, tls: .disable), logger: PostgresTestServer.logger) }
            }
        }

        func run(_ arguments: [String]) throws -> TouchBaseBinary.Run {
            let run = try touchbase.run(arguments + options)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            return run
        }
    }

    @Test("contacts list, log and report print the same at any page size; a long name on the last page widens the first page's rows",
          arguments: StoreKind.covered)
    func samePrintAtAnyPageSize(kind: StoreKind) async throws {
        let site = try await Site(kind)
        let long = "Maximilian Alexander Featherstonehaugh-Smythe"
        let csv = try site.touchbase.write(Array("name,phone\nDan,617-555-0100\nEve,617-555-0101\nFay,617-555-0102\nGus,617-555-0103\n\(long),617-555-0104\n".utf8),
                                           to: "c.csv")
        _ = try site.run(["contacts", "import", csv.path] + StoreCommandTests.importDefaults)
        let store = try await site.open()
        let nine = Date(timeIntervalSince1970: 1_795_000_000)
        for index in 0..<7 {
            try await store.beginCall(CallStart(callID: "tb-\(index)", contactID: Int64(index % 5 + 1), step: .first, dialNumber: 1,
                                                startedAt: nine.addingTimeInterval(Double(index / 2) * 60), origin: .hook))
        }
        (store as? PostgresStore)?.close()

        let list = try site.run(["contacts", "list"]).stdout
        let lines = list.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        let dan = try #require(lines.first { $0.contains("Dan") })
        #expect(dan.contains("Dan" + String(repeating: " ", count: long.count - 3) + "  +16175550100"), "\(list)")
        for size in ["1", "2"] {
            #expect(try site.run(["contacts", "list", "--page-size", size]).stdout == list)
        }
        for format in ["table", "csv", "json"] {
            let whole = try site.run(["log", "--format", format]).stdout
            #expect(whole.contains("tb-6") && whole.contains(long))
            for size in ["1", "3"] {
                #expect(try site.run(["log", "--format", format, "--page-size", size]).stdout == whole, "\(format) in pages of \(size)")
            }
        }
        let csvLog = try site.run(["log", "--format", "csv", "--page-size", "2"]).stdout
        #expect(csvLog.split(separator: "\n").dropFirst().map { $0.prefix(4) } == (0..<7).map { "tb-\($0)" })
        let json = try JSONSerialization.jsonObject(with: Data(try site.run(["log", "--format", "json", "--page-size", "2"]).stdout.utf8))
        #expect((json as? [Any])?.count == 7)
        let report = try site.run(["report"]).stdout
        #expect(report.contains("1     7"), "\(report)")
        #expect(try site.run(["report", "--page-size", "2"]).stdout == report)
    }

    @Test("an import checks and stores a batch at a time, all or nothing: bad rows after several batches store nothing, and each is named",
          arguments: StoreKind.covered)
    func importAllOrNothing(kind: StoreKind) async throws {
        let site = try await Site(kind)
        var rows = (0..<9).map { "Contact \($0),617-555-\(1000 + $0)" }
        rows[6] = ",617-555-1006"
        rows[8] = "Contact 8,617-555-1000"
        let bad = try site.touchbase.write(Array(("name,phone\n" + rows.joined(separator: "\n") + "\n").utf8), to: "bad.csv")
        let refused = try site.touchbase.run(["contacts", "import", bad.path, "--page-size", "2"] + StoreCommandTests.importDefaults + site.options)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("bad.csv:8: name is missing"), "\(refused.stderr)")
        #expect(refused.stderr.contains("bad.csv:10: +16175551000 is already on line 2"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was imported (2 problems)"), "\(refused.stderr)")
        #expect(try site.run(["contacts", "list"]).stdout.split(separator: "\n").count == 1, "only the header: nothing was stored")

        rows[6] = "Contact 6,617-555-1006"
        rows[8] = "Contact 8,617-555-1008"
        let good = try site.touchbase.write(Array(("name,phone\n" + rows.joined(separator: "\n")).utf8), to: "good.csv")
        let imported = try site.run(["contacts", "import", good.path, "--page-size", "2"] + StoreCommandTests.importDefaults)
        #expect(imported.stdout.contains("imported 9 contacts from \(good.path): 9 new, 0 updated"), "\(imported.stdout)")
        let again = try site.run(["contacts", "import", good.path, "--page-size", "4"] + StoreCommandTests.importDefaults)
        #expect(again.stdout.contains("imported 9 contacts from \(good.path): 0 new, 9 updated"), "\(again.stdout)")
        #expect(try site.run(["contacts", "list"]).stdout.split(separator: "\n").count == 10)
    }
}
