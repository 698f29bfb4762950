import Foundation

/// Fetches a prepared message's `.sln16` file from the node that prepared it, over that node's
/// audio server (`[audio]`): how a node's web console plays a call another node placed.
///
/// Bounded on every side, since a page waits on it: a short connect and total timeout, a size
/// limit, and an answer checked before it is used (status 200, exactly the samples the call
/// recorded, or at least a whole number of samples).
public struct MessageAudioClient: Sendable {
    /// The HTTP client, with the timeouts and the size limit.
    public let client: HTTPClient

    /// The largest file fetched: four minutes of 16 kHz samples, far more than any voicemail message.
    public static let maximumBytes = 4 * 60 * 16_000 * 2

    /// Creates a client; the defaults fail a node that does not answer within two seconds, or
    /// does not send the whole file within eight.
    public init(connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(8)) {
        client = HTTPClient(configuration: .init(connectTimeout: connectTimeout, totalTimeout: totalTimeout,
                                                 maximumResponseBytes: Self.maximumBytes, maximumConcurrentRequests: 4))
    }

    /// The `.sln16` samples at a message's URL.
    ///
    /// - Parameters:
    ///   - url: the message's URL as its node recorded it, e.g. `http://10.0.0.5:4575/tb-….sln16`.
    ///   - samples: its length in samples as recorded; 0 when unknown.
    /// - Throws: ``MessageAudioFetchError`` saying why, naming the node.
    public func sln16(at url: String, samples: Int) async throws(MessageAudioFetchError) -> [UInt8] {
        let node = Self.node(of: url)
        guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""),
              parts.host?.isEmpty == false, parts.query == nil,
              case .file(let name) = MessageAudioRequest(method: "GET", target: parts.percentEncodedPath), name.hasSuffix(".sln16") else {
            throw MessageAudioFetchError(node: node, reason: "the recorded URL \(String(reflecting: url)) is not a message's .sln16 file")
        }
        let response: HTTPResponse
        do {
            response = try await client.send(HTTPRequest(method: "GET", url: url))
        } catch {
            throw MessageAudioFetchError(node: node, reason: "it did not answer: \((error as? HTTPClientError)?.reason ?? "\(error)")")
        }
        guard response.status == 200 else {
            let said = response.bodyExcerpt.trimmingCharacters(in: .whitespacesAndNewlines)
            throw MessageAudioFetchError(node: node, reason: "it answered \(response.status)" + (said.isEmpty ? "" : " (\(said))"),
                                         missing: response.status == 404)
        }
        let body = response.body
        if samples > 0, body.count != samples * 2 {
            throw MessageAudioFetchError(node: node, reason: "it sent \(body.count) bytes where the call recorded \(samples) samples (\(samples * 2) bytes)")
        }
        guard !body.isEmpty, body.count % 2 == 0 else {
            throw MessageAudioFetchError(node: node, reason: "it sent \(body.count) bytes, not a whole number of 16-bit samples")
        }
        return body
    }

    /// The node a URL names, as `host:port`, for messages.
    static func node(of url: String) -> String {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else { return String(reflecting: url) }
        return parts.port.map { "\(host):\($0)" } ?? host
    }
}

/// A message's audio could not be fetched from the node that prepared it.
public struct MessageAudioFetchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The node, as `host:port` of its audio server.
    public var node: String
    /// Why, in words.
    public var reason: String
    /// Whether the node answered that it does not have the file (404), rather than failing.
    public var missing = false

    public var description: String { "node \(node): \(reason)" }
}
