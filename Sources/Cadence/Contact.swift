/// The person a follow-up's messages come from, and whom a returned call should ring.
public struct Owner: Sendable, Hashable, Codable {
    /// The owner's full name, spoken in messages ("Sam Ortiz").
    public var name: String
    /// The Asterisk dial string that rings the owner, e.g. `PJSIP/101`.
    public var dialString: String
    /// The number contacts are asked to call back, in E.164.
    public var callbackNumber: String

    /// Creates an owner.
    public init(name: String, dialString: String, callbackNumber: String) {
        self.name = name
        self.dialString = dialString
        self.callbackNumber = callbackNumber
    }
}

/// Someone to follow up with.
public struct Contact: Sendable, Hashable, Codable, Identifiable {
    /// The store's id; `nil` before the contact is stored.
    public var id: Int64?
    /// The contact's full name, spoken in messages.
    public var name: String
    /// The contact's phone number in E.164 (`+16175550100`).
    public var phone: String
    /// The contact's IANA time zone (`America/New_York`); every schedule is in it.
    public var timeZone: String
    /// Whose follow-up this is.
    public var owner: Owner
    /// The owner's company, spoken in messages.
    public var company: String
    /// How the owner and the contact are connected ("we met last week at the networking group").
    public var connection: String
    /// What the follow-up is about.
    public var topic: String
    /// A campaign name whose message templates apply, if any.
    public var campaign: String?
    /// Whether the contact asked not to be called.
    public var doNotCall: Bool

    /// Creates a contact.
    public init(id: Int64? = nil, name: String, phone: String, timeZone: String, owner: Owner,
                company: String, connection: String = "", topic: String = "", campaign: String? = nil,
                doNotCall: Bool = false) {
        self.id = id
        self.name = name
        self.phone = phone
        self.timeZone = timeZone
        self.owner = owner
        self.company = company
        self.connection = connection
        self.topic = topic
        self.campaign = campaign
        self.doNotCall = doNotCall
    }
}
