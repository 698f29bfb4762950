import Cadence

/// The values a message template can use, by the names templates write them with.
///
/// Every value comes from the contact, its owner, or the cadence: the promise in particular is
/// the phrase the cadence computed from the scheduled next call, never typed by hand, so what
/// the message says and when TouchBase calls again cannot disagree.
public struct MessageVariables: Sendable, Hashable {
    /// The contact's full name, e.g. "Laura Harbolt".
    public var contactName: String
    /// The owner's (the caller's) full name.
    public var ownerName: String
    /// The owner's company.
    public var company: String
    /// How the owner and the contact are connected, as a sentence ("We met last week at the networking group").
    public var connection: String
    /// What the follow-up is about ("the spring training schedule").
    public var topic: String
    /// The number the contact can call back, in E.164.
    public var callbackNumber: String
    /// When TouchBase will call next, as the contact will hear it ("tomorrow around noon"); empty when no call follows.
    public var promise: String

    /// Creates the variables for one message.
    public init(contactName: String, ownerName: String, company: String, connection: String = "",
                topic: String = "", callbackNumber: String, promise: String = "") {
        self.contactName = contactName
        self.ownerName = ownerName
        self.company = company
        self.connection = connection
        self.topic = topic
        self.callbackNumber = callbackNumber
        self.promise = promise
    }

    /// The names a template may use, with what each holds.
    public static let documented: [(name: String, meaning: String)] = [
        ("contact_name", "the contact's full name"),
        ("contact_first_name", "the contact's first name"),
        ("owner_name", "the caller's full name"),
        ("owner_first_name", "the caller's first name"),
        ("company", "the caller's company"),
        ("connection", "how we are connected, as a sentence"),
        ("topic", "what the follow-up is about"),
        ("callback_number", "the callback number, spoken digit by digit in groups"),
        ("promise", "when we will call next, e.g. \"tomorrow around noon\" (from the schedule)"),
    ]

    /// The set of names a template may use.
    public static let names: Set<String> = Set(documented.map(\.name))

    /// The values by template name, as the renderer sees them. Empty values are left out, so a
    /// `{{#topic}}...{{/topic}}` section is skipped when there is no topic.
    public var values: [String: String] {
        let all: [String: String] = [
            "contact_name": contactName,
            "contact_first_name": Self.firstName(of: contactName),
            "owner_name": ownerName,
            "owner_first_name": Self.firstName(of: ownerName),
            "company": company,
            "connection": Self.sentence(connection),
            "topic": topic,
            "callback_number": SpokenPhoneNumber(callbackNumber).description,
            "promise": promise,
        ]
        return all.filter { !$0.value.isEmpty }
    }

    static func firstName(of name: String) -> String {
        name.split(separator: " ").first.map(String.init) ?? name
    }

    /// Capitalizes the first letter and drops a trailing full stop the template adds itself.
    static func sentence(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix(".") { text.removeLast() }
        guard let first = text.first else { return "" }
        return first.uppercased() + text.dropFirst()
    }

    /// Sample values for checking templates: long enough to be a fair estimate of length.
    public static let sample = MessageVariables(
        contactName: "Alexandra Montgomery", ownerName: "Christopher Delgado", company: "Harborview Consulting",
        connection: "we met last week at the chamber of commerce networking breakfast",
        topic: "the spring training schedule for your sales team", callbackNumber: "+16175550100",
        promise: "tomorrow around noon")
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}

private extension Set where Element == Character {
    static let whitespaces: Set<Character> = [" ", "\t", "\n", "\r"]
}
