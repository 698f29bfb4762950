import Foundation
import Settings

/// `[audio]`: TouchBase serving each prepared message over HTTP, so that every Asterisk can play
/// it and no node depends on a folder only its own Asterisk sees (README, "Audio on several PBXs").
///
/// Asterisk plays an `http://` URL through its media cache (res_http_media_cache): the first
/// `STREAM FILE` of the URL downloads the file, later ones play the cached copy. The `answered`
/// and `drop` routes fetch the message into that cache while the greeting still plays, before
/// the beep, so the message starts as soon as the beep ends.
public struct MessageAudioServing: Sendable, Hashable {
    /// The address the audio server binds.
    public var host = "127.0.0.1"
    /// Its port; 0 (the default) serves nothing and plays messages from the sounds folder's path.
    public var port = 0
    /// The address the PBXs fetch this node's messages at, e.g. `http://10.0.0.5:4575`; each
    /// message prepared records its URL under it, so the other nodes' consoles fetch it too.
    /// Who may fetch is `[agi] allowed_peers` (the PBXs that speak AGI to this node) and
    /// ``allowedPeers``.
    public var url = ""
    /// The other nodes whose web consoles play this node's messages (`[audio] allowed_peers`):
    /// addresses or networks allowed to fetch, and nothing else. Kept apart from
    /// `[agi] allowed_peers` because a FastAGI or AudioSocket peer can act on calls, and a node
    /// that only plays audio should not be able to.
    public var allowedPeers: [String] = []

    /// The defaults: off.
    public init() {}

    /// Whether messages are served and played by URL.
    public var isEnabled: Bool { port != 0 }

    /// The URL a PBX fetches a message's audio at (its 16 kHz `.sln16` file), or `nil` when
    /// serving is off or the audio is not in the served folder.
    ///
    /// - Parameters:
    ///   - audioPath: the message's path without extension, as prepared.
    ///   - soundsFolder: the folder the server serves.
    public func url(forAudioPath audioPath: String, soundsFolder: String) -> String? {
        let name = (audioPath as NSString).lastPathComponent
        guard isEnabled, ((audioPath as NSString).deletingLastPathComponent as NSString).standardizingPath
                == (soundsFolder as NSString).standardizingPath,
              MessageAudioRequest.isServable(name) else { return nil }
        return url + "/" + name + ".sln16"
    }
}

extension MessageAudioServing {
    /// Reads the `[audio]` section; settings it leaves out keep their defaults.
    ///
    /// - Throws: ``SettingsProblem`` naming the key: a port out of range, a `url` that is not
    ///   `http://` or `https://` with a host, or a port given without a `url`.
    public init(reading settings: inout SettingsReader) throws {
        self.init()
        if let host = try settings.string("host") { self.host = host }
        if let port = try settings.int("port", in: 0...65535) { self.port = port }
        if let url = try settings.string("url") {
            let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
            guard let parts = URLComponents(string: trimmed), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""),
                  parts.host?.isEmpty == false, parts.query == nil, parts.fragment == nil,
                  !trimmed.contains(where: { $0 == " " || $0 == "," || $0 == "\"" }) else {
                throw settings.error("url", "must be http:// or https:// with a host and no query, e.g. http://10.0.0.5:4575; got \(String(reflecting: url))")
            }
            self.url = trimmed
        }
        if let peers = try settings.strings("allowed_peers") { allowedPeers = peers }
        if port != 0, url.isEmpty {
            throw settings.error("url", "is needed when port is set: the address the PBXs fetch messages at, e.g. http://10.0.0.5:\(port)")
        }
    }
}

/// An HTTP request for a message's audio, checked before any file is touched.
public enum MessageAudioRequest: Sendable, Hashable {
    /// A file of the sounds folder: its name, with `.sln16` or `.ulaw`.
    case file(String)
    /// Refused, with the HTTP status and a short reason.
    case refused(status: Int, reason: String)

    /// Reads a request line's method and target: `GET` or `HEAD` of `/NAME.sln16` or
    /// `/NAME.ulaw`, NAME being letters, digits, `-` and `_` (no folders, no dots: nothing
    /// outside the sounds folder can be named).
    public init(method: String, target: String) {
        guard method == "GET" || method == "HEAD" else {
            self = .refused(status: 405, reason: "only GET and HEAD")
            return
        }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        for ext in [".sln16", ".ulaw"] where name.hasSuffix(ext) && Self.isServable(String(name.dropLast(ext.count))) {
            self = .file(name)
            return
        }
        self = .refused(status: 404, reason: "no such message")
    }

    /// Whether a message's name (without extension) may be served.
    static func isServable(_ name: String) -> Bool {
        (1...100).contains(name.utf8.count)
            && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }
}
