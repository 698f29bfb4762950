import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders the pages and builds the console's responses.
struct ConsoleViews: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            // The templates are part of the program: one that does not parse is a bug caught by every test.
            try! library.register(text, named: name)
        }
        self.library = library
    }

    /// The page `name` for `session` (nil on the login page), with `values` and its title.
    func page(_ name: String, title: String, session: ConsoleSession?, status: HTTPResponse.Status = .ok,
              notice: String? = nil, _ values: [String: Any] = [:]) -> Response {
        var context = values
        context["title"] = title
        context["notice"] = notice
        if let session {
            context["session"] = ["account": session.account, "role": session.role.rawValue, "csrf": session.csrfToken,
                                  "admin": session.role == .admin] as [String: Any]
            context["csrf"] = session.csrfToken
            context["admin"] = session.role == .admin
        }
        return Self.html(library.render(context, withTemplate: name) ?? "", status: status)
    }

    /// The template `name` with `values` alone: a part of a page, without header or session.
    func part(_ name: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: name) ?? ""
    }

    /// A page saying what went wrong, with its status (403, 404, 400).
    func problem(_ message: String, status: HTTPResponse.Status, session: ConsoleSession?) -> Response {
        page("problem", title: status.reasonPhrase, session: session, status: status, ["message": message])
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        bytes(Array(body.utf8), type: "text/html; charset=utf-8", status: status)
    }

    static func bytes(_ body: [UInt8], type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentLength] = String(body.count)
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; frame-ancestors 'none'; form-action 'self'"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .contentLength: "0"])
    }
}

/// An `application/x-www-form-urlencoded` body or query, as name → value (the last of a name wins). Pure.
struct FormFields: Sendable {
    var values: [String: String] = [:]

    init(encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            values[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// The value, trimmed; `nil` when absent or blank.
    func nonEmpty(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}

extension Request {
    /// The body as form fields; a body over `limit` bytes is refused with 413.
    func formFields(limit: Int = 1 << 20) async throws -> FormFields {
        let buffer = try await body.collect(upTo: limit)
        return FormFields(encoded: String(buffer: buffer))
    }

    /// The query string as form fields.
    var queryFields: FormFields { FormFields(encoded: uri.query ?? "") }
}
