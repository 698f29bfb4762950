import Foundation
import Hummingbird
import Store

/// A call's audio prepared on another node: fetched from that node's audio server (`[audio]`)
/// when this node's sounds folder does not have it.
extension Console {
    /// The WAV of a planned message fetched from the node its URL names, or a page saying which
    /// node and why not: 404 when no node serves it or the node no longer has it, 502 when the
    /// node failed to answer or answered wrong.
    func peerAudio(_ planned: PlannedMessage, _ session: ConsoleSession) async -> Response {
        guard let url = planned.audioURL else {
            return views.problem("""
                This call's audio is not on this node, and the node that prepared it does not serve its messages \
                ([audio] port and url), so it cannot be fetched from there.
                """, status: .notFound, session: session)
        }
        guard let fetch = services.peerAudio else {
            return views.problem("This call's audio is not on this node; it is at \(url), which this node does not fetch from.",
                                 status: .notFound, session: session)
        }
        do {
            return ConsoleViews.bytes(MessageWAV.wrap(sln16: try await fetch(url, planned.samples)), type: "audio/wav")
        } catch let failure as PeerAudioFailure {
            return views.problem("This call's audio is not on this node, and fetching it failed: \(failure).",
                                 status: failure.missing ? .notFound : .badGateway, session: session)
        } catch {
            return views.problem("This call's audio is not on this node, and fetching it from \(url) failed: \(error).",
                                 status: .badGateway, session: session)
        }
    }
}

/// Why a call's audio could not be fetched from the node that prepared it.
public struct PeerAudioFailure: Error, Sendable, CustomStringConvertible {
    /// The node and the reason, e.g. `node 10.0.0.5:4575: it did not answer: Couldn't connect to server`.
    public var description: String
    /// Whether the node answered that it does not have the file (a 404), rather than failing.
    public var missing: Bool

    /// Creates a failure.
    public init(_ description: String, missing: Bool = false) {
        self.description = description
        self.missing = missing
    }
}
