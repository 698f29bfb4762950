import Cadence
@testable import Console
import Foundation
import Hummingbird
import HummingbirdTesting
import Scripts
import Store
import Synchronization
import Testing

/// A console over an in-memory store, with an administrator and two owners, and a client that
/// keeps its cookies as a browser would.
struct ConsoleFixture {
    static let password = "correct horse"
    let store: SQLiteStore
    let settings: ConsoleSettings
    let console: Console
    let sam: Contact, lee: Contact

    init(settings: ConsoleSettings = ConsoleSettings(), samName: String = "Dana Whitfield", templatesFolder: String? = nil,
         speakPreview: (@Sendable (RenderedMessage) async throws -> (samples: [UInt8], voice: String))? = nil,
         clock: @escaping @Sendable () -> Date = Date.init) async throws {
        store = try SQLiteStore()
        self.settings = settings
        var services = ConsoleServices(store: store, policy: CallingPolicy(), importer: ContactImport(),
                                       templates: try MessageScriptsInForce(folder: templatesFolder), clock: clock)
        services.speakPreview = speakPreview
        console = Console(settings: settings, services: services)
        let hash = try await PasswordHashing.hash(Self.password, cost: 4)
        for (name, role) in [("ada", ConsoleRole.admin), ("Sam Ortiz", .owner), ("Lee Park", .owner)] {
            try await store.saveAccount(ConsoleAccount(name: name, role: role, passwordHash: hash, createdAt: Date()))
        }
        func contact(_ name: String, _ phone: String, _ owner: String) -> Contact {
            Contact(name: name, phone: phone, timeZone: "America/New_York",
                    owner: Owner(name: owner, dialString: "PJSIP/101", callbackNumber: "+16175550199"), company: "Harbor & Sons")
        }
        _ = try await store.importContacts([contact(samName, "+16175550101", "Sam Ortiz"), contact("Lee's Contact", "+16175550102", "Lee Park")],
                                           now: Date(), policy: CallingPolicy())
        let all = try await store.contacts()
        (sam, lee) = (all[0], all[1])
    }

    func test(_ body: @escaping @Sendable (Browser) async throws -> Void) async throws {
        let app = Application(router: console.router())
        try await app.test(.router) { client in try await body(Browser(client: client)) }
    }
}

/// Cookies kept between requests, as a browser keeps them.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var lastSetCookies: [String] = []

    init(client: any TestClientProtocol) { self.client = client }

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, form: [String: String]? = nil) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&"))
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        lastSetCookies = response.headers[values: .setCookie]
        for line in lastSetCookies {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { cookies[pair[0]] = pair[1].isEmpty ? nil : pair[1] }
        }
        return (response.status, String(buffer: response.body))
    }

    /// The value of `name="csrf"` on the last page.
    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Logs in through the form; returns the session's CSRF token from the page after.
    @discardableResult
    func logIn(_ name: String, password: String = ConsoleFixture.password) async throws -> (status: HTTPResponse.Status, csrf: String?) {
        let form = try await request(.get, "/login")
        let result = try await request(.post, "/login", form: ["csrf": Self.csrf(in: form.body) ?? "", "name": name, "password": password])
        guard result.status == .seeOther else { return (result.status, nil) }
        return (result.status, Self.csrf(in: try await request(.get, "/contacts").body))
    }
}

@Suite("the web console's pages and their safety")
struct ConsolePageTests {
    @Test("a contact named <script>alert(1)</script> & \"Dan\" is shown as typed, on the list and on its page")
    func contactDataIsEscaped() async throws {
        let name = "<script>alert(1)</script> & \"Dan\""
        let fixture = try await ConsoleFixture(samName: name)
        let id = try #require(fixture.sam.id)
        try await fixture.test { browser in
            try await browser.logIn("ada")
            for uri in ["/contacts", "/contacts/\(id)", "/contacts?q=%3Cscript"] {
                let page = try await browser.request(.get, uri)
                #expect(page.status == .ok)
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Dan&quot;"), "\(uri)")
                #expect(!page.body.contains("<script>alert"), "\(uri)")
            }
        }
    }

    @Test("a change without a session, or without the session's CSRF token, is refused with 403 and changes nothing")
    func mutationsNeedSessionAndToken() async throws {
        let fixture = try await ConsoleFixture()
        let id = try #require(fixture.sam.id)
        try await fixture.test { browser in
            #expect(try await browser.request(.post, "/contacts/\(id)/do-not-call", form: [:]).status == .forbidden)
            let csrf = try #require(try await browser.logIn("ada").csrf)
            #expect(try await browser.request(.post, "/contacts/\(id)/do-not-call", form: [:]).status == .forbidden)
            #expect(try await browser.request(.post, "/contacts/\(id)/do-not-call", form: ["csrf": (csrf.hasPrefix("0") ? "1" : "0") + csrf.dropFirst()]).status == .forbidden)
            #expect(try await browser.request(.post, "/import", form: ["csv": "name,phone\nEve,6175550177\n"]).status == .forbidden)
            #expect(try await fixture.store.contact(id: id)?.doNotCall == false)
            #expect(try await fixture.store.contacts().count == 2)
            #expect(try await browser.request(.post, "/contacts/\(id)/do-not-call", form: ["csrf": csrf]).status == .seeOther)
            #expect(try await fixture.store.contact(id: id)?.doNotCall == true)
            let audit = try await fixture.store.auditLog(limit: 10)
            #expect(audit.first?.account == "ada" && audit.first?.action == "do-not-call")
        }
    }

    @Test("an owner sees only their own contacts and gets 403 on another owner's, for pages and changes")
    func ownersKeptApart() async throws {
        let fixture = try await ConsoleFixture()
        let (samID, leeID) = (try #require(fixture.sam.id), try #require(fixture.lee.id))
        try await fixture.test { browser in
            let csrf = try #require(try await browser.logIn("Lee Park").csrf)
            let list = try await browser.request(.get, "/contacts?owner=Sam%20Ortiz")
            #expect(list.body.contains("Lee&#39;s Contact") && !list.body.contains("Dana Whitfield"))
            #expect(try await browser.request(.get, "/contacts/\(samID)").status == .forbidden)
            #expect(try await browser.request(.get, "/contacts/\(leeID)").status == .ok)
            #expect(try await browser.request(.post, "/contacts/\(samID)/do-not-call", form: ["csrf": csrf]).status == .forbidden)
            #expect(try await fixture.store.contact(id: samID)?.doNotCall == false)
            #expect(try await browser.request(.get, "/system").status == .forbidden)
        }
    }

    @Test("a session outlives a restart of serve and is known to another node on the store; logging out on one ends it on the other")
    func sessionsLiveInTheStore() async throws {
        let clock = ClockBox(Date())
        let fixture = try await ConsoleFixture(clock: { clock.now })
        let other = Console(settings: fixture.settings, services: fixture.console.services)
        let session = Mutex<(cookies: [String: String], csrf: String)>(([:], ""))
        try await fixture.test { browser in
            let csrf = try #require(try await browser.logIn("Sam Ortiz").csrf)
            session.withLock { $0 = (browser.cookies, csrf) }
        }
        func onOther(_ body: @escaping @Sendable (Browser) async throws -> Void) async throws {
            try await Application(router: other.router()).test(.router) { client in
                let browser = Browser(client: client)
                browser.cookies = session.withLock { $0.cookies }
                try await body(browser)
            }
        }
        try await onOther { browser in
            let page = try await browser.request(.get, "/contacts")
            #expect(page.status == .ok, "the other console knows the session from the store")
        }
        try await fixture.test { browser in
            browser.cookies = session.withLock { $0.cookies }
            let csrf = session.withLock { $0.csrf }
            let out = try await browser.request(.post, "/logout", form: ["csrf": csrf])
            #expect(out.status == .seeOther)
        }
        clock.now += 11
        try await onOther { browser in
            let page = try await browser.request(.get, "/contacts")
            #expect(page.status == .seeOther, "logged out on one node, out on the other")
        }
    }

    @Test("the login form needs its own token, and failed logins are throttled per account")
    func loginSafety() async throws {
        let fixture = try await ConsoleFixture()
        try await fixture.test { browser in
            let noToken = try await browser.request(.post, "/login", form: ["name": "ada", "password": ConsoleFixture.password])
            #expect(noToken.status == .forbidden && browser.cookies[Console.sessionCookie] == nil)
            for _ in 0..<5 { #expect(try await browser.logIn("ada", password: "wrong").status == .unauthorized) }
            #expect(try await browser.logIn("ada").status == .tooManyRequests)
            #expect(try await browser.logIn("Sam Ortiz").status == .seeOther)
        }
    }

    @Test("the session cookie is HttpOnly and SameSite=Strict, and Secure behind a TLS proxy")
    func cookieAttributes() async throws {
        for behind in [false, true] {
            var settings = ConsoleSettings()
            settings.behindTLSProxy = behind
            let fixture = try await ConsoleFixture(settings: settings)
            try await fixture.test { browser in
                let form = try await browser.request(.get, "/login")
                _ = try await browser.request(.post, "/login", form: ["csrf": Browser.csrf(in: form.body) ?? "", "name": "ada",
                                                                      "password": ConsoleFixture.password])
                let session = try #require(browser.lastSetCookies.first { $0.hasPrefix(Console.sessionCookie + "=") })
                #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict"))
                #expect(session.contains("Secure") == behind)
            }
        }
    }

    @Test("an import with a bad row shows the row's line and stores nothing; the fixed file stores every row")
    func importAllOrNothing() async throws {
        let fixture = try await ConsoleFixture()
        try await fixture.test { browser in
            let csrf = try #require(try await browser.logIn("ada").csrf)
            let header = "name,phone,time_zone,owner,owner_dial,callback,company\n"
            let good = "Ann Lee,6175550150,America/New_York,Sam Ortiz,PJSIP/101,6175550199,Acme\n"
            let bad = try await browser.request(.post, "/import", form: ["csrf": csrf, "csv": header + good + "Bob,12,America/New_York,Sam Ortiz,PJSIP/101,6175550199,Acme\n"])
            #expect(bad.status == .unprocessableContent && bad.body.contains("line 3: phone"))
            #expect(try await fixture.store.contacts().count == 2)
            let fixed = try await browser.request(.post, "/import", form: ["csrf": csrf, "csv": header + good])
            #expect(fixed.status == .ok && fixed.body.contains("Imported 1 contacts"))
            #expect(try await fixture.store.contacts().count == 3)
        }
    }
}

@Suite("the console's pure parts")
struct ConsolePartsTests {
    @Test("X-Forwarded-For is believed only from a trusted proxy, and its rightmost untrusted hop is the client")
    func forwardedFor() {
        let address = ClientAddress(trustedProxies: ["10.0.0.2"])
        #expect(address.of(peer: "192.0.2.7", forwardedFor: "203.0.113.9") == "192.0.2.7")
        #expect(address.of(peer: "10.0.0.2", forwardedFor: "1.1.1.1, 203.0.113.9") == "203.0.113.9")
        #expect(address.of(peer: "10.0.0.2", forwardedFor: nil) == "10.0.0.2")
    }

    @Test("a .sln16 message becomes a 16 kHz mono 16-bit WAV of the same samples")
    func wav() {
        let wav = MessageWAV.wrap(sln16: [1, 2, 3, 4, 5])
        #expect(wav.count == 44 + 4 && Array(wav[0..<4]) == Array("RIFF".utf8) && Array(wav[40..<44]) == [4, 0, 0, 0])
        #expect(Array(wav[24..<28]) == [0x80, 0x3E, 0, 0] && Array(wav.suffix(4)) == [1, 2, 3, 4])
    }

    @Test("the Report page and its CSV show one count: the tables, the chart, and a line per week and step")
    func reportPage() async throws {
        let fixture = try await ConsoleFixture()
        let id = try #require(fixture.sam.id)
        try await fixture.store.beginCall(CallStart(callID: "tb-1", contactID: id, step: .first, dialNumber: 1, startedAt: Date()))
        try await fixture.test { browser in
            try await browser.logIn("ada")
            for _ in 0..<2 {
                let page = try await browser.request(.get, "/report")
                #expect(page.status == .ok && page.body.contains("Counted at"))
                #expect(page.body.contains("<table id=\"per-week\">") && page.body.contains("<svg") && page.body.contains("<td>1</td><td>1</td><td>0</td>"))
            }
            let csv = try await browser.request(.get, "/report.csv").body
            #expect(csv.split(separator: "\n").count == 2 && csv.hasSuffix(",1,1,0,0,0,0,0\n"))
        }
    }

    @Test("the report's CSV has a line per week and step")
    func reportCSV() throws {
        var row = try WeeklyStepCounts(week: 2918, step: 1, counts: [5, 3, 2, 1, 1, 0])
        row.parked = 0
        #expect(ConsoleReport.csv([row]) == "week,step,dials,voicemails,messages_left,reached,callbacks,parked\n2025-12-08,1,5,3,2,1,1,0\n")
    }
}
