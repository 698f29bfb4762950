import Foundation

/// When and how often to try a request again.
///
/// Transient transport failures and the statuses a provider marks as retryable (429 and 5xx by
/// default) are tried again after an exponential backoff, or after the server's `Retry-After`
/// (seconds or an HTTP date) when it gives one, capped at ``maximumDelay``.
public struct RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included.
    public var attempts: Int
    /// The wait before the second try; doubled for each further one.
    public var baseDelay: Duration
    /// The longest wait between tries.
    public var maximumDelay: Duration

    /// Creates a policy.
    public init(attempts: Int = 3, baseDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(20)) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// No retries.
    public static let none = RetryPolicy(attempts: 1)

    /// The wait before try number `attempt + 1` (attempt counts from 1).
    public func delay(after attempt: Int, retryAfter: String?, now: Date = Date()) -> Duration {
        if let retryAfter, let seconds = Self.retryAfterSeconds(retryAfter, now: now) {
            return min(.milliseconds(Int64(max(0, seconds) * 1000)), maximumDelay)
        }
        let factor = 1 << min(attempt - 1, 16)
        return min(baseDelay * factor, maximumDelay)
    }

    /// Reads a `Retry-After` value: a number of seconds, or an HTTP date.
    public static func retryAfterSeconds(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { $0.timeIntervalSince(now) }
    }
}

extension HTTPClient {
    /// Sends a request, trying again as the policy says.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - retry: how often and how long to wait.
    ///   - isRetryable: which responses are worth another try; by default 429 and 5xx.
    /// - Returns: the last response, successful or not.
    public func send(_ request: HTTPRequest, retry: RetryPolicy,
                     isRetryable: @Sendable (HTTPResponse) -> Bool = { $0.status == 429 || (500...599).contains($0.status) }) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            do {
                let response = try await send(request)
                guard attempt < retry.attempts, isRetryable(response) else { return response }
                try await Task.sleep(for: retry.delay(after: attempt, retryAfter: response.headers["retry-after"]))
            } catch let error as HTTPClientError where error.isTransient && attempt < retry.attempts {
                try await Task.sleep(for: retry.delay(after: attempt, retryAfter: nil))
            }
            attempt += 1
        }
    }
}
