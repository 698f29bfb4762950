import Speech

/// Distinct message-1 texts shaped like the built-in template (whom it is for, who calls, how we
/// are connected, the topic, the promise, the callback number twice), varied by index so that no
/// two are the same and none comes from the cache on the first run.
enum BenchMessages {
    static let firstNames = ["Laura", "James", "Priya", "Miguel", "Chen", "Fatima", "Oliver", "Grace", "Samuel", "Aisha",
                             "Noah", "Elena", "Marcus", "Hannah", "Diego", "Yuki", "Tom", "Sofia", "Ravi", "Claire"]
    static let owners = ["Sam", "Dana", "Alex", "Jordan", "Morgan", "Riley", "Casey"]
    static let companies = ["Ortiz Landscaping", "Bright Path Insurance", "Harbor Dental", "Summit Roofing", "Blue Fern Design"]
    static let connections = ["We met last week at the networking group", "Maria Lopez suggested I give you a call",
                              "You stopped by our booth at the home show", "We spoke briefly at the chamber breakfast"]
    static let topics = ["the spring cleanup quote", "your policy renewal", "the kitchen estimate", "a free roof inspection", "the new website"]
    static let promises = ["tomorrow around noon", "on Monday around ten in the morning", "on Thursday afternoon", "on Friday around two"]

    /// `count` distinct messages; the callback number carries the index, so they all differ.
    static func make(_ count: Int) -> [SpeechRequest] {
        (0..<count).map { i in
            let digits = Array(String(5_550_000 + i))
            let number = digits.prefix(3).map(String.init).joined(separator: " ") + ", " + digits.dropFirst(3).map(String.init).joined(separator: " ")
            let text = "Hi \(firstNames[i % firstNames.count]), this is \(owners[i % owners.count]) from \(companies[i % companies.count]). "
                + "\(connections[i % connections.count]). I'm calling about \(topics[(i / 5) % topics.count]). "
                + "I'll call you back \(promises[(i / 3) % promises.count]). You can reach me at \(number). Again, \(number). Talk soon."
            return SpeechRequest(text: text)
        }
    }
}
