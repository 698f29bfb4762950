/// A phone number as a voice should say it: digit by digit, in groups, with pauses between.
///
/// `+16175550100` is said "six one seven, five five five, zero one zero zero": North American
/// numbers in the familiar 3-3-4 groups without the country code, others with their country
/// code ("plus four four, ...") in groups of three or four.
public struct SpokenPhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// The digit groups, e.g. `["617", "555", "0100"]`.
    public let groups: [String]
    /// Whether the number is said with its country code ("plus four four").
    public let includesCountryCode: Bool

    private static let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    /// Groups a number written in E.164 (`+16175550100`) or as national digits.
    ///
    /// Characters other than digits and a leading `+` are ignored.
    public init(_ number: String) {
        let international = number.hasPrefix("+")
        let digits = number.filter(\.isASCII).filter(\.isNumber).map(String.init).joined()
        if international && digits.hasPrefix("1") && digits.count == 11 {
            let national = Array(digits.dropFirst())
            groups = [String(national[0..<3]), String(national[3..<6]), String(national[6...])]
            includesCountryCode = false
        } else if !international && digits.count == 10 {
            let national = Array(digits)
            groups = [String(national[0..<3]), String(national[3..<6]), String(national[6...])]
            includesCountryCode = false
        } else {
            var rest = Substring(digits)
            var groups: [String] = []
            while !rest.isEmpty {
                // A last group of four reads better than one of one.
                let size = rest.count == 4 ? 4 : min(3, rest.count)
                groups.append(String(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            self.groups = groups
            includesCountryCode = international
        }
    }

    /// The groups in words, separated by commas so a voice pauses between them.
    public var description: String {
        let spoken = groups.map { group in group.compactMap { $0.wholeNumberValue }.map { Self.words[$0] }.joined(separator: " ") }
        return (includesCountryCode ? "plus " : "") + spoken.joined(separator: ", ")
    }

    /// How many words the number takes to say.
    public var wordCount: Int { groups.reduce(0) { $0 + $1.count } + (includesCountryCode ? 1 : 0) }
}
