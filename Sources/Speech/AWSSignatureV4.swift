import Crypto
import Foundation

/// An AWS access key, with the session token that temporary credentials (STS, an instance or
/// task role) come with.
public struct AWSCredentials: Sendable, Hashable {
    /// The access key ID, e.g. `AKIA...` (or `ASIA...` for temporary credentials).
    public var accessKeyID: String
    /// The secret access key; it signs requests and is never sent.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4, signed in the request's headers.
///
/// A pure function of the request, the credentials and the time, which the caller passes in, so
/// it is tested against AWS's published signature test suite. ``sign(_:at:)`` adds `X-Amz-Date`,
/// `X-Amz-Security-Token` when the credentials have a session token, `x-amz-content-sha256` when
/// ``signsContentSHA256`` is set, and `Authorization: AWS4-HMAC-SHA256 Credential=KEY/DAY/REGION/
/// SERVICE/aws4_request, SignedHeaders=..., Signature=...`. Every header of the request is signed,
/// and `host`, taken from the URL as libcurl sends it.
///
/// The path is encoded as services other than S3 expect (each segment encoded once more); dot
/// segments are not resolved, so give a plain path such as Polly's `/v1/speech`.
public struct AWSSignatureV4: Sendable, Hashable {
    /// The key that signs.
    public var credentials: AWSCredentials
    /// The region, e.g. `us-east-1`.
    public var region: String
    /// The service's signing name, e.g. `polly`.
    public var service: String
    /// Whether to send and sign `x-amz-content-sha256`, the payload's hash (S3 requires it;
    /// other services accept it).
    public var signsContentSHA256: Bool

    /// Creates a signer.
    public init(credentials: AWSCredentials, region: String, service: String, signsContentSHA256: Bool = false) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.signsContentSHA256 = signsContentSHA256
    }

    /// The request with the signature's headers added (any earlier ones replaced).
    ///
    /// - Parameters:
    ///   - request: the request as it will be sent; its URL gives the signed host, path and query.
    ///   - date: the signing time; AWS refuses a signature more than 5 minutes from its own clock.
    /// - Throws: ``HTTPClientError`` when the URL has no host to sign.
    public func sign(_ request: HTTPRequest, at date: Date) throws -> HTTPRequest {
        let signed = try signature(for: request, at: date)
        var request = request
        request.headers = signed.headers
        return request
    }

    /// The steps of a signature, kept apart so each can be checked against the test suite.
    struct Signature: Sendable {
        /// The headers to send, the signature's own included.
        var headers: [(name: String, value: String)]
        var canonicalRequest: String
        var stringToSign: String
        var signedHeaders: String
        var signature: String
        var authorization: String
    }

    /// Headers the signer sets itself; the request's own copies are dropped.
    static let signerHeaders: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]

    func signature(for request: HTTPRequest, at date: Date) throws -> Signature {
        guard let url = URLComponents(string: request.url), let host = url.host, !host.isEmpty else {
            throw HTTPClientError(url: request.url, reason: "cannot be signed for AWS: not a URL with a host", isTransient: false)
        }
        let (amzDate, day) = Self.timestamps(date)
        let payloadHash = SHA256.hex(request.body)
        var headers = request.headers.filter { !Self.signerHeaders.contains($0.name.lowercased()) }
        headers.append(("X-Amz-Date", amzDate))
        if let token = credentials.sessionToken { headers.append(("X-Amz-Security-Token", token)) }
        if signsContentSHA256 { headers.append(("x-amz-content-sha256", payloadHash)) }

        // libcurl sends Host from the URL, with the port when the URL names one.
        var signedSet = headers
        if !headers.contains(where: { $0.name.lowercased() == "host" }) {
            signedSet.append(("host", url.port.map { "\(host):\($0)" } ?? host))
        }
        var byName: [String: [String]] = [:]
        for (name, value) in signedSet {
            let collapsed = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            byName[name.lowercased(), default: []].append(collapsed)
        }
        let names = byName.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalHeaders = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        let canonicalRequest = [request.method.uppercased(), Self.canonicalPath(url.percentEncodedPath),
                                Self.canonicalQuery(url.percentEncodedQuery), canonicalHeaders, signedHeaders, payloadHash]
            .joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hex(Array(canonicalRequest.utf8))].joined(separator: "\n")
        var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [day, region, service, "aws4_request"] { key = SHA256.hmac(key: key, message: Array(part.utf8)) }
        let signature = SHA256.hexString(SHA256.hmac(key: key, message: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(headers: headers + [("Authorization", authorization)], canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                         signedHeaders: signedHeaders, signature: signature, authorization: authorization)
    }

    /// `X-Amz-Date` (`20150830T123600Z`) and the scope's day (`20150830`), in UTC.
    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!), day)
    }

    /// The path with each segment encoded once more, as every service but S3 signs it.
    static func canonicalPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: urlUnreserved) ?? String($0) }
            .joined(separator: "/")
    }

    /// The query's parameters encoded with RFC 3986's unreserved set and sorted by name, then value.
    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        func encoded(_ part: Substring) -> String {
            let plain = String(part).removingPercentEncoding ?? String(part)
            return plain.addingPercentEncoding(withAllowedCharacters: urlUnreserved) ?? plain
        }
        var parameters: [(name: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            parameters.append((encoded(parts[0]), parts.count > 1 ? encoded(parts[1]) : ""))
        }
        parameters.sort { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return parameters.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }
}
