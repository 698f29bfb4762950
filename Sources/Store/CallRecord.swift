import Cadence
import Foundation

/// One row of the outcome log, as typed as the ``CallStart`` and ``CallFinish`` that wrote it.
public struct CallRecord: Sendable, Hashable {
    /// TouchBase's id for the call.
    public var callID: String
    /// The contact called.
    public var contactID: Int64
    /// The contact's name when the record was read.
    public var contactName: String
    /// The message the call would leave at voicemail.
    public var step: MessageStep
    /// Which call this was for the step (1 for the first).
    public var dialNumber: Int
    /// When the call was handed to Asterisk (or, for a reported call, when it was reported).
    public var startedAt: Date
    /// When the call's outcome was recorded; `nil` while the call is under way.
    public var endedAt: Date?
    /// Asterisk's uniqueid: the CDR `uniqueid` of the channel the call is logged for (the
    /// originated channel, or the agent's channel of a hand-dialled call).
    public var asteriskUniqueID: String?
    /// Asterisk's linkedid, the CDR `linkedid` every channel of the call carries.
    public var asteriskLinkedID: String?
    /// The raw Asterisk variables, as JSON.
    public var variables: String?
    /// The normalized outcome; `nil` while the call is under way.
    public var outcome: DialOutcome?
    /// The message left at voicemail, if one was.
    public var messageLeft: MessageStep?
    /// How much of the message played (0...1).
    public var playedShare: Double?
    /// The voice that spoke the message.
    public var voice: String?
    /// The window of the next call the decision scheduled.
    public var nextCallStart: Date?
    public var nextCallEnd: Date?
    /// What the message left promised about the next call.
    public var promise: String?
    /// The cadence's note on its decision.
    public var note: String?
    /// Who placed the call.
    public var origin: CallOrigin = .dialer
    /// The trunk the dialer used.
    public var trunk: String?
    /// The message prepared before the call.
    public var plannedMessage: PlannedMessage?
    /// The UUID the call's AudioSocket carries.
    public var audioSocketID: UUID?
    /// What TouchBase's greeting analysis learnt on the call, once it has.
    public var greeting: GreetingResult?

    /// Creates a record, as a store reads it back.
    public init(callID: String, contactID: Int64, contactName: String, step: MessageStep, dialNumber: Int, startedAt: Date,
                endedAt: Date? = nil, asteriskUniqueID: String? = nil, asteriskLinkedID: String? = nil, variables: String? = nil,
                outcome: DialOutcome? = nil, messageLeft: MessageStep? = nil, playedShare: Double? = nil, voice: String? = nil,
                nextCallStart: Date? = nil, nextCallEnd: Date? = nil, promise: String? = nil, note: String? = nil,
                origin: CallOrigin = .dialer, trunk: String? = nil, plannedMessage: PlannedMessage? = nil,
                audioSocketID: UUID? = nil, greeting: GreetingResult? = nil) {
        self.callID = callID
        self.contactID = contactID
        self.contactName = contactName
        self.step = step
        self.dialNumber = dialNumber
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.asteriskUniqueID = asteriskUniqueID
        self.asteriskLinkedID = asteriskLinkedID
        self.variables = variables
        self.outcome = outcome
        self.messageLeft = messageLeft
        self.playedShare = playedShare
        self.voice = voice
        self.nextCallStart = nextCallStart
        self.nextCallEnd = nextCallEnd
        self.promise = promise
        self.note = note
        self.origin = origin
        self.trunk = trunk
        self.plannedMessage = plannedMessage
        self.audioSocketID = audioSocketID
        self.greeting = greeting
    }
}

/// A message rendered for a contact.
public struct MessageRecord: Sendable, Hashable, Codable {
    public var contactID: Int64
    public var step: MessageStep
    public var text: String
    public var promise: String?
    public var audioPath: String?
    public var voice: String?
    public var renderedAt: Date

    /// Creates a message record.
    public init(contactID: Int64, step: MessageStep, text: String, promise: String?, audioPath: String?, voice: String?, renderedAt: Date) {
        self.contactID = contactID
        self.step = step
        self.text = text
        self.promise = promise
        self.audioPath = audioPath
        self.voice = voice
        self.renderedAt = renderedAt
    }
}

/// The message a call plays at voicemail, rendered before the call is placed.
public struct PlannedMessage: Sendable, Hashable, Codable {
    /// The audio's path without extension, for STREAM FILE.
    public var audioPath: String
    /// The audio's length in the `.sln16` file's samples: endpos when it all played.
    public var samples: Int
    /// The voice that spoke it.
    public var voice: String
    /// What the message promises about the next call; `nil` for message 3.
    public var promise: SpokenPromise?
    /// Where other nodes fetch the `.sln16` file: the `[audio] url` of the node that prepared it
    /// and the file's name, e.g. `http://10.0.0.5:4575/tb-….sln16`; `nil` when that node serves
    /// no audio (and in rows written before nodes recorded it).
    public var audioURL: String?

    /// Creates a planned message.
    public init(audioPath: String, samples: Int, voice: String, promise: SpokenPromise?, audioURL: String? = nil) {
        self.audioPath = audioPath
        self.samples = samples
        self.voice = voice
        self.promise = promise
        self.audioURL = audioURL
    }
}
