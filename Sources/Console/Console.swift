import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOPosix
import Store

/// The console's routes: logging in and out, and every page behind a session.
///
/// Safety lives here: a session cookie (HttpOnly, SameSite=Strict, Secure behind TLS), a CSRF
/// token on every form and mutation (the login form has its own, tied to a cookie), login
/// throttling per account and per address, and an owner kept to their own contacts.
struct Console: Sendable {
    static let sessionCookie = "tb_session"
    static let loginCookie = "tb_login"
    /// The browser's time zone, written by the console's script (`Intl`): not a secret, and
    /// only ever a name looked up among the known zones.
    static let zoneCookie = "tb_zone"

    let settings: ConsoleSettings
    let services: ConsoleServices
    let views = ConsoleViews()
    let sessions: ConsoleSessions
    let throttle = LoginThrottle()
    let clientAddress: ClientAddress
    let reportCounts: ReportCounts

    init(settings: ConsoleSettings, services: ConsoleServices) {
        self.settings = settings
        self.services = services
        sessions = ConsoleSessions(store: services.store, lifetime: settings.sessionSeconds)
        clientAddress = ClientAddress(trustedProxies: Set(settings.trustedProxies))
        reportCounts = ReportCounts(store: services.store, views: views, clock: services.clock)
    }

    var store: any Store { services.store }

    func router() -> Router<ConsoleRequestContext> {
        let router = Router(context: ConsoleRequestContext.self)
        router.get("/assets/{name}") { _, context in
            guard let name = context.parameters.get("name"), let asset = ConsoleAssets.files[name] else { return Response(status: .notFound) }
            return ConsoleViews.bytes(Array(asset.body.utf8), type: asset.type)
        }
        router.get("/login") { request, _ in self.loginPage(request, error: nil) }
        router.post("/login") { request, context in try await self.login(request, context) }
        router.get("/") { _, _ in ConsoleViews.redirect("/today") }
        router.post("/logout") { request, _ in
            try await self.mutation(request) { session, _ in
                if let token = request.cookies[Self.sessionCookie]?.value { try await self.sessions.close(token: token) }
                var response = ConsoleViews.redirect("/login")
                response.setCookie(self.cookie(Self.sessionCookie, "", maxAge: 0))
                try await self.audit(session, "logout", "")
                return response
            }
        }
        addContactRoutes(router)
        addPageRoutes(router)
        return router
    }

    // MARK: Sessions

    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: settings.behindTLSProxy, httpOnly: true, sameSite: .strict)
    }

    /// The session the request's cookie names, if any.
    func session(_ request: Request) async throws -> ConsoleSession? {
        guard let token = request.cookies[Self.sessionCookie]?.value else { return nil }
        return try await sessions.session(token: token, now: services.clock())
    }

    /// The zone the person reading sees times in: their browser's when it is a known zone,
    /// otherwise `[console] time_zone`.
    func viewerZone(_ request: Request) -> String {
        guard let sent = request.cookies[Self.zoneCookie]?.value.removingPercentEncoding, sent.count < 64,
              TimeZone(identifier: sent) != nil else { return settings.timeZone }
        return sent
    }

    /// A page for a logged-in person; anyone else is sent to the login page.
    func page(_ request: Request, _ body: (ConsoleSession) async throws -> Response) async throws -> Response {
        guard let session = try await session(request) else { return ConsoleViews.redirect("/login") }
        return try await body(session)
    }

    /// A change: refused with 403, changing nothing, without a session or without the
    /// session's CSRF token in the form (`csrf`) or the `X-CSRF-Token` header.
    func mutation(_ request: Request, limit: Int = 1 << 20, _ body: (ConsoleSession, FormFields) async throws -> Response) async throws -> Response {
        guard let session = try await session(request) else {
            return views.problem("Log in first: this change needs a session.", status: .forbidden, session: nil)
        }
        let form = try await request.formFields(limit: limit)
        let sent = form["csrf"] ?? request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
        guard RandomToken.same(sent, session.csrfToken) else {
            return views.problem("This form has expired or did not come from the console; reload the page and try again.",
                                 status: .forbidden, session: session)
        }
        return try await body(session, form)
    }

    func audit(_ session: ConsoleSession, _ action: String, _ detail: String) async throws {
        try await store.recordAudit(AuditEntry(at: services.clock(), account: session.account, action: action, detail: detail))
    }

    // MARK: Logging in

    func loginPage(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let token = RandomToken.make()
        var response = views.page("login", title: "Log in", session: nil, status: status, ["loginToken": token, "error": error as Any])
        response.setCookie(cookie(Self.loginCookie, token, maxAge: 3600))
        return response
    }

    func login(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let form = try await request.formFields(limit: 16 * 1024)
        guard let expected = request.cookies[Self.loginCookie]?.value, RandomToken.same(form["csrf"] ?? "", expected) else {
            return loginPage(request, error: "The login form expired; try again.", status: .forbidden)
        }
        let name = form.nonEmpty("name") ?? "", password = form["password"] ?? ""
        let address = clientAddress.of(peer: context.remoteAddress?.ipAddress,
                                       forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!])
        let now = services.clock()
        guard await throttle.allows(account: name, address: address, now: now) else {
            return loginPage(request, error: "Too many failed logins; wait a few minutes and try again.", status: .tooManyRequests)
        }
        let account = try await store.account(name: name)
        guard try await PasswordHashing.verify(password, hash: account?.passwordHash), let account else {
            await throttle.failed(account: name, address: address, now: now)
            return loginPage(request, error: "Wrong name or password.", status: .unauthorized)
        }
        await throttle.succeeded(account: name)
        let token = try await sessions.open(account: account, now: now)
        try await store.recordAudit(AuditEntry(at: now, account: account.name, action: "login", detail: "from \(address)"))
        var response = ConsoleViews.redirect(account.role == .admin ? "/today" : "/contacts")
        response.setCookie(cookie(Self.sessionCookie, token))
        response.setCookie(cookie(Self.loginCookie, "", maxAge: 0))
        return response
    }
}

/// bcrypt, run on NIO's thread pool: hashing is slow by design and must not hold an event loop.
public enum PasswordHashing {
    /// The cost: 2^12 rounds, about a quarter of a second.
    public static let cost: UInt8 = 12

    /// The bcrypt hash of a password.
    public static func hash(_ password: String, cost: UInt8 = cost) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether a password matches a bcrypt hash. With no hash (no such account) a decoy is
    /// checked and `false` returned, so the time taken does not tell which names exist.
    public static func verify(_ password: String, hash: String?) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            guard let hash else {
                _ = Bcrypt.verify(password, hash: decoy)
                return false
            }
            return Bcrypt.verify(password, hash: hash)
        }
    }

    private static let decoy = Bcrypt.hash("decoy", cost: cost)
}
