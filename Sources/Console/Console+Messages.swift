import Cadence
import Foundation
import HTTPTypes
import Hummingbird
import Scripts
import Store

/// The Messages page: each step's template, its words and its audio for a chosen contact while
/// it is typed, and saving into the templates folder, in force from the next message on. A
/// template with an error is never saved.
extension Console {
    func addMessageRoutes(_ router: Router<ConsoleRequestContext>) {
        router.get("/messages") { request, _ in
            try await self.page(request) { try await self.messagesPage(contactID: request.queryFields["contact"], $0) }
        }
        router.post("/messages/preview") { request, _ in
            try await self.mutation(request, limit: 64 * 1024) { session, form in
                let (text, problems) = try await self.preview(form, session)
                return ConsoleViews.bytes(Array((problems.isEmpty ? text : problems.joined(separator: "\n")).utf8),
                                          type: "text/plain; charset=utf-8", status: problems.isEmpty ? .ok : .unprocessableContent)
            }
        }
        router.post("/messages/preview.wav") { request, _ in
            try await self.mutation(request, limit: 64 * 1024) { session, form in try await self.previewAudio(form, session) }
        }
        router.post("/messages") { request, _ in
            try await self.mutation(request, limit: 64 * 1024) { session, form in try await self.saveTemplate(form, session) }
        }
    }

    /// The contact a preview is for: the one asked for, if the session may see it.
    func previewContact(_ id: String?, _ session: ConsoleSession) async throws -> Contact? {
        guard let id = id.flatMap({ Int64($0) }), let contact = try await store.contact(id: id), session.mayReach(contact) else { return nil }
        return contact
    }

    static func variables(for contact: Contact?) -> MessageVariables {
        guard let contact else {
            return MessageVariables(contactName: "Dana Whitfield", ownerName: "Sam Ortiz", company: "Harbor Consulting",
                                    connection: "we met at the spring fair", topic: "your garden", callbackNumber: "+16175550199",
                                    promise: "tomorrow around noon")
        }
        return MessageVariables(contactName: contact.name, ownerName: contact.owner.name, company: contact.company,
                                connection: contact.connection, topic: contact.topic, callbackNumber: contact.owner.callbackNumber,
                                promise: "tomorrow around noon")
    }

    func messagesPage(contactID: String?, _ session: ConsoleSession, edited: (step: MessageStep, text: String)? = nil,
                      problems: [String] = [], notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let contact = try await previewContact(contactID, session)
        let steps: [[String: Any]] = MessageStep.allCases.map { step in
            let template = services.templates.scripts.template(for: step, owner: contact?.owner.name, campaign: contact?.campaign)
            let text = edited?.step == step ? edited!.text : template.text
            let preview = (try? MessageTemplate(text: text, step: step, source: "preview").render(Self.variables(for: contact))) ?? ""
            return ["step": step.rawValue, "template": text, "source": template.source, "preview": preview,
                    "problems": edited?.step == step ? problems : []]
        }
        return views.page("messages", title: "Messages", session: session, status: status, notice: notice, [
            "steps": steps, "contactID": contact?.id.map(String.init) ?? "", "contactName": contact?.name ?? "a sample contact",
            "canSave": session.role == .admin && services.templates.folder != nil, "canHear": services.speakPreview != nil,
        ])
    }

    /// The words of a template being typed, or its errors.
    func preview(_ form: FormFields, _ session: ConsoleSession) async throws -> (String, [String]) {
        let (message, problems) = try await previewMessage(form, session)
        return (message?.text ?? "", problems)
    }

    /// A template being typed, rendered for the chosen contact (or a sample one) as a call would.
    func previewMessage(_ form: FormFields, _ session: ConsoleSession) async throws -> (RenderedMessage?, [String]) {
        guard let step = form["step"].flatMap({ Int($0) }).flatMap(MessageStep.init(rawValue:)) else { return (nil, ["no such message step"]) }
        let contact = try await previewContact(form["contact"], session)
        do {
            return (try MessageTemplate(text: form["text"] ?? "", step: step, source: "message\(step.rawValue)").message(Self.variables(for: contact)), [])
        } catch {
            return (nil, error.problems.map(\.description))
        }
    }

    /// The audio of a template being typed, spoken by the voices the calls use, as WAV; the
    /// voice that spoke is in `X-Voice`. A template with an error answers its errors (422).
    func previewAudio(_ form: FormFields, _ session: ConsoleSession) async throws -> Response {
        let (message, problems) = try await previewMessage(form, session)
        guard let message else {
            return ConsoleViews.bytes(Array(problems.joined(separator: "\n").utf8), type: "text/plain; charset=utf-8", status: .unprocessableContent)
        }
        guard let speak = services.speakPreview else {
            return ConsoleViews.bytes(Array("No voice is set up on this node.".utf8), type: "text/plain; charset=utf-8", status: .serviceUnavailable)
        }
        do {
            let (samples, voice) = try await speak(message)
            var response = ConsoleViews.bytes(MessageWAV.wrap(sln16: samples), type: "audio/wav")
            response.headers[HTTPField.Name("X-Voice")!] = voice
            return response
        } catch {
            return ConsoleViews.bytes(Array("No voice could speak the preview: \(error)".utf8), type: "text/plain; charset=utf-8", status: .badGateway)
        }
    }

    /// Saves a template for everyone into the templates folder, only when it has no error.
    func saveTemplate(_ form: FormFields, _ session: ConsoleSession) async throws -> Response {
        guard session.role == .admin else { return views.problem("Only an administrator changes the templates.", status: .forbidden, session: session) }
        guard let step = form["step"].flatMap({ Int($0) }).flatMap(MessageStep.init(rawValue:)) else {
            return views.problem("No such message step.", status: .badRequest, session: session)
        }
        let text = form["text"] ?? ""
        let contactID = form["contact"]
        do {
            _ = try MessageTemplate(text: text, step: step, source: "message\(step.rawValue).mustache")
        } catch {
            return try await messagesPage(contactID: contactID, session, edited: (step, text), problems: error.problems.map(\.description),
                                          status: .unprocessableContent)
        }
        guard let folder = services.templates.folder else {
            return try await messagesPage(contactID: contactID, session, edited: (step, text),
                                          problems: ["no templates folder is set ([speech] templates): the built-in templates cannot be changed here"],
                                          status: .conflict)
        }
        let file = (folder as NSString).appendingPathComponent("message\(step.rawValue).mustache")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        try await audit(session, "template", "message \(step.rawValue) saved into \(file)")
        let notice: String
        do {
            try services.templates.reloadIfChanged()
            notice = "Message \(step.rawValue) saved into \(file); it is spoken from the next message on."
        } catch {
            notice = "Message \(step.rawValue) saved into \(file), but another template in the folder has an error, so the templates "
                + "in force stay as they were: " + error.problems.map(\.description).joined(separator: "; ")
        }
        return try await messagesPage(contactID: contactID, session, edited: (step, text), notice: notice)
    }
}
