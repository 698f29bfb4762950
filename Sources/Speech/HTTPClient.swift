import CCurl
import Dispatch
import Foundation
import Synchronization

/// An HTTP request to a speech endpoint.
public struct HTTPRequest: Sendable, Hashable {
    /// `GET` or `POST`.
    public var method: String
    /// The full URL.
    public var url: String
    /// Request headers, in order.
    public var headers: [(name: String, value: String)]
    /// The body, for `POST`.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body
            && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
    }
}

/// An HTTP response.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// Response headers, names in lower case.
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text, cut short for error messages.
    public var bodyExcerpt: String {
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return body.count > 300 ? text + "…" : text
    }
}

/// A failure talking to an HTTP endpoint, naming the URL.
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request's URL.
    public var url: String
    /// What went wrong.
    public var reason: String
    /// Whether trying again may help (timeouts, connection failures).
    public var isTransient: Bool

    public var description: String { "\(url): \(reason)" }
}

/// HTTP over libcurl, for the text-to-speech providers and for other nodes' message audio
/// (``MessageAudioClient``).
///
/// Each request runs `curl_easy_perform` on a Dispatch worker thread, never on Swift's
/// cooperative pool, with at most ``Configuration/maximumConcurrentRequests`` at once. Every
/// request has a connect timeout, a total timeout and a bound on the response's size.
public final class HTTPClient: Sendable {
    /// Limits for every request.
    public struct Configuration: Sendable, Hashable {
        /// How long connecting may take.
        public var connectTimeout: Duration
        /// How long a whole request may take.
        public var totalTimeout: Duration
        /// The largest response body accepted; a larger one fails the request.
        public var maximumResponseBytes: Int
        /// Requests in flight at once.
        public var maximumConcurrentRequests: Int

        /// Creates limits; the defaults suit speech synthesis of a voicemail message.
        public init(connectTimeout: Duration = .seconds(5), totalTimeout: Duration = .seconds(60),
                    maximumResponseBytes: Int = 32 << 20, maximumConcurrentRequests: Int = 8) {
            self.connectTimeout = connectTimeout
            self.totalTimeout = totalTimeout
            self.maximumResponseBytes = maximumResponseBytes
            self.maximumConcurrentRequests = maximumConcurrentRequests
        }
    }

    /// The limits in force.
    public let configuration: Configuration
    private let slots: AsyncSlots
    private let sent = Mutex(0)
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Creates a client.
    public init(configuration: Configuration = .init()) {
        _ = Self.globalInit
        self.configuration = configuration
        self.slots = AsyncSlots(count: max(1, configuration.maximumConcurrentRequests))
    }

    /// Requests this client has sent so far, each retry counted, failed ones included: how a
    /// benchmark or a test tells that the audio cache answered with no synthesis.
    public var requestsSent: Int { sent.withLock { $0 } }

    /// Sends a request once and returns the response, whatever its status.
    ///
    /// - Throws: ``HTTPClientError`` for transport failures: DNS, connect, timeouts, a body over
    ///   the limit, a truncated body.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await slots.withSlot {
            sent.withLock { $0 += 1 }
            return try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try self.perform(request) })
                }
            }
        }
    }

    private final class Transfer {
        var body: [UInt8] = []
        var headers: [String: String] = [:]
        var limit: Int
        var overLimit = false
        init(limit: Int) { self.limit = limit }
    }

    private func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(url: request.url, reason: "libcurl could not create a handle", isTransient: true)
        }
        defer { curl_easy_cleanup(handle) }
        let transfer = Transfer(limit: configuration.maximumResponseBytes)
        let opaque = Unmanaged.passUnretained(transfer).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            guard !name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }), !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw HTTPClientError(url: request.url, reason: "header \(name) holds a line break", isTransient: false)
            }
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")

        tb_curl_easy_setopt_string(handle, CURLOPT_URL, request.url)
        tb_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        tb_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        tb_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(configuration.totalTimeout))
        tb_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        tb_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        tb_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        tb_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque)
        tb_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque)
        tb_curl_easy_setopt_write_callback(handle) { data, size, count, user in
            let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let bytes = size * count
            if transfer.body.count + bytes > transfer.limit {
                transfer.overLimit = true
                return 0
            }
            transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: bytes))
            return bytes
        }
        tb_curl_easy_setopt_header_callback(handle) { data, size, count, user in
            let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let bytes = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: bytes), as: UTF8.self)
            if line.hasPrefix("HTTP/") { transfer.headers = [:] }
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                transfer.headers[name] = value
            }
            return bytes
        }
        let result: CURLcode = request.body.withUnsafeBufferPointer { body in
            if request.method == "POST" || !request.body.isEmpty {
                tb_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                tb_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            return curl_easy_perform(handle)
        }
        guard result == CURLE_OK else {
            if transfer.overLimit {
                throw HTTPClientError(url: request.url, reason: "response larger than \(configuration.maximumResponseBytes) bytes", isTransient: false)
            }
            let text = String(cString: curl_easy_strerror(result))
            let transient = [CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR,
                             CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING].contains(result)
            throw HTTPClientError(url: request.url, reason: "\(text) (curl error \(result.rawValue))", isTransient: transient)
        }
        var status = 0
        tb_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration / .milliseconds(1))
    }
}

/// A counting semaphore for async code: at most `count` bodies run at once; the rest wait
/// without holding a thread.
final class AsyncSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func withSlot<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if free > 0 {
                free -= 1
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    private func release() {
        lock.lock()
        if waiters.isEmpty {
            free += 1
            lock.unlock()
        } else {
            let next = waiters.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}
