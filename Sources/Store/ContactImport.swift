import Cadence
import Foundation

/// Reads contacts from CSV, checking every row before anything is stored.
///
/// The first row names the columns (any order, case and spacing ignored):
///
/// | column | required | meaning |
/// | --- | --- | --- |
/// | `name` | yes | the contact's full name |
/// | `phone` | yes | the contact's number; normalized to E.164 |
/// | `time_zone` | unless a default is given | IANA zone, e.g. `America/New_York` |
/// | `owner` | unless a default is given | whose follow-up it is (spoken in messages) |
/// | `owner_dial` | unless a default is given | Asterisk dial string that rings the owner, e.g. `PJSIP/101` |
/// | `callback` | unless a default is given | the number contacts should call back |
/// | `company` | unless a default is given | the owner's company |
/// | `connection` | no | how you are connected ("we met at the networking group") |
/// | `topic` | no | what it is about |
/// | `campaign` | no | a campaign whose message templates apply |
///
/// A row is refused, with its line number, for a missing name, a number that cannot be made
/// E.164, an unknown time zone, a control character in a field, an owner's dial string the
/// check given refuses, more values than columns, or a number already on an earlier row; then
/// nothing is imported.
public struct ContactImport: Sendable {
    /// Values for columns the file leaves out or empty.
    public struct Defaults: Sendable, Hashable {
        public var timeZone: String?
        public var owner: String?
        public var ownerDial: String?
        public var callback: String?
        public var company: String?
        /// The country calling code for numbers written without one (1 for North America).
        public var countryCode: String

        /// Creates defaults.
        public init(timeZone: String? = nil, owner: String? = nil, ownerDial: String? = nil, callback: String? = nil,
                    company: String? = nil, countryCode: String = "1") {
            self.timeZone = timeZone
            self.owner = owner
            self.ownerDial = ownerDial
            self.callback = callback
            self.company = company
            self.countryCode = countryCode
        }
    }

    /// The defaults in force.
    public var defaults: Defaults
    /// Checks an owner's dial string: why it cannot be used, or `nil` when it can. The Store
    /// does not know Asterisk's dial strings; `touchbase contacts import` passes the dialer's check.
    public var ownerDialProblem: (@Sendable (String) -> String?)?

    /// Creates an importer.
    ///
    /// - Parameters:
    ///   - defaults: values for columns the file leaves out or empty.
    ///   - ownerDialProblem: a check of each owner's dial string; `nil` checks only that there is one.
    public init(defaults: Defaults = Defaults(), ownerDialProblem: (@Sendable (String) -> String?)? = nil) {
        self.defaults = defaults
        self.ownerDialProblem = ownerDialProblem
    }

    static let knownColumns = ["name", "phone", "time_zone", "owner", "owner_dial", "callback", "company", "connection", "topic", "campaign"]
    static let aliases = ["timezone": "time_zone", "tz": "time_zone", "owner_phone": "callback", "callback_number": "callback",
                          "owner_dial_string": "owner_dial", "number": "phone", "phone_number": "phone"]

    /// Parses and checks a whole file.
    ///
    /// - Parameters:
    ///   - text: the CSV text.
    ///   - file: the file's name, for errors.
    /// - Returns: the contacts, in file order.
    /// - Throws: ``ContactImportError`` listing every bad row with its line.
    public func contacts(fromCSV text: String, file: String) throws(ContactImportError) -> [Contact] {
        var check = ContactFileCheck(importer: self, file: file)
        var contacts: [Contact] = []
        for scalar in text.unicodeScalars {
            if let contact = try check.take(scalar) { contacts.append(contact) }
        }
        if let contact = try check.end() { contacts.append(contact) }
        return contacts
    }
}

/// A CSV file's contacts checked as its scalars come: the header first, then each row, so a
/// file of any length is checked holding one row (and the phones seen, for repeats).
///
/// A CSV syntax error is reported alone, as soon as it is met; the header's problems and every
/// row's come at ``end()``, all of them, in file order.
struct ContactFileCheck {
    private let importer: ContactImport
    private let file: String
    private var reader = CSVReader()
    private var header: (line: Int, fields: [String])?
    private var columns: [String: Int] = [:]
    private var headerProblems: [ContactImportError.Problem] = []
    private var seen: [String: Int] = [:]
    private var knownZones: Set<String> = []
    /// The rows' problems so far; a contact is never returned once there is one.
    private(set) var problems: [ContactImportError.Problem] = []

    init(importer: ContactImport, file: String) {
        self.importer = importer
        self.file = file
    }

    /// Takes the file's next scalar.
    ///
    /// - Returns: a good contact, when the scalar ended its row and no row so far was bad.
    mutating func take(_ scalar: Unicode.Scalar) throws(ContactImportError) -> Contact? {
        let record: CSVReader.Record?
        do { record = try reader.feed(scalar) } catch { throw ContactImportError(file: file, problems: [error]) }
        return record.flatMap { self.record($0) }
    }

    /// Ends the file.
    ///
    /// - Returns: the last row's contact, when the file does not end with a line break.
    /// - Throws: ``ContactImportError`` with every problem of the header or of the rows.
    mutating func end() throws(ContactImportError) -> Contact? {
        let last: CSVReader.Record?
        do { last = try reader.finish() } catch { throw ContactImportError(file: file, problems: [error]) }
        let contact = last.flatMap { self.record($0) }
        guard header != nil else {
            throw ContactImportError(file: file, problems: [.init(line: 1, message: "the file is empty; the first row must name the columns")])
        }
        guard headerProblems.isEmpty else { throw ContactImportError(file: file, problems: headerProblems) }
        guard problems.isEmpty else { throw ContactImportError(file: file, problems: problems) }
        return contact
    }

    private mutating func record(_ record: CSVReader.Record) -> Contact? {
        guard let header else {
            readHeader(record)
            return nil
        }
        guard headerProblems.isEmpty else { return nil }
        let contact = row(record, columnCount: header.fields.count)
        return problems.isEmpty ? contact : nil
    }

    private mutating func readHeader(_ record: CSVReader.Record) {
        header = record
        for (index, raw) in record.fields.enumerated() {
            var name = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_")
            name = ContactImport.aliases[name] ?? name
            guard ContactImport.knownColumns.contains(name) else {
                headerProblems.append(.init(line: record.line, message: "unknown column '\(raw)' (known: \(ContactImport.knownColumns.joined(separator: ", ")))"))
                continue
            }
            if columns[name] != nil { headerProblems.append(.init(line: record.line, message: "column '\(name)' appears twice")) }
            columns[name] = index
        }
        for required in ["name", "phone"] where columns[required] == nil {
            headerProblems.append(.init(line: record.line, message: "the '\(required)' column is missing"))
        }
    }

    /// Checks one row: its contact, or `nil` with its problems added.
    private mutating func row(_ record: CSVReader.Record, columnCount: Int) -> Contact? {
        let defaults = importer.defaults
        if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { return nil }
        func field(_ name: String) -> String? {
            guard let index = columns[name], index < record.fields.count else { return nil }
            let value = record.fields[index].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        var rowProblems: [String] = []
        if record.fields.dropFirst(columnCount).contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            // Most often a comma inside a value that was not quoted: every value after it moved.
            rowProblems.append("\(record.fields.count) values for \(columnCount) columns (a comma inside a value needs the value in double quotes)")
        }
        for (index, value) in record.fields.enumerated() where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            let column = columns.first { $0.value == index }?.key ?? "column \(index + 1)"
            rowProblems.append("\(column) holds a line break or control character")
        }
        let name = field("name")
        if name == nil { rowProblems.append("name is missing") }
        var phone: String?
        if let raw = field("phone") {
            do { phone = try PhoneNumber.e164(raw, defaultCountryCode: defaults.countryCode) } catch { rowProblems.append(error.description) }
        } else {
            rowProblems.append("phone is missing")
        }
        let zone = field("time_zone") ?? defaults.timeZone
        if let zone {
            // TimeZone(identifier:) reads the zone database: once per zone, not once per row.
            if !knownZones.contains(zone) {
                if TimeZone(identifier: zone) == nil {
                    rowProblems.append("unknown time zone '\(zone)' (use an IANA name such as America/New_York)")
                } else {
                    knownZones.insert(zone)
                }
            }
        } else {
            rowProblems.append("time_zone is missing and no default was given")
        }
        let owner = field("owner") ?? defaults.owner
        let ownerDial = field("owner_dial") ?? defaults.ownerDial
        let company = field("company") ?? defaults.company
        var callback = field("callback") ?? defaults.callback
        for (label, value) in [("owner", owner), ("owner_dial", ownerDial), ("company", company), ("callback", callback)] where value == nil {
            rowProblems.append("\(label) is missing and no default was given")
        }
        if let ownerDial, let problem = importer.ownerDialProblem?(ownerDial) {
            rowProblems.append("owner_dial \(problem)")
        }
        if let raw = callback {
            do { callback = try PhoneNumber.e164(raw, defaultCountryCode: defaults.countryCode) } catch { rowProblems.append("callback: \(error.description)") }
        }
        if let phone, let earlier = seen[phone] { rowProblems.append("\(phone) is already on line \(earlier)") }
        if let phone, seen[phone] == nil { seen[phone] = record.line }
        guard rowProblems.isEmpty, let name, let phone, let zone, let owner, let ownerDial, let company, let callback else {
            problems += rowProblems.map { .init(line: record.line, message: $0) }
            return nil
        }
        return Contact(name: name, phone: phone, timeZone: zone, owner: Owner(name: owner, dialString: ownerDial, callbackNumber: callback),
                       company: company, connection: field("connection") ?? "", topic: field("topic") ?? "", campaign: field("campaign"))
    }
}

/// Rows that cannot be imported; nothing was imported.
public struct ContactImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem on one line.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }

        /// Creates a problem.
        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// The file's name.
    public var file: String
    /// Every problem found, in file order.
    public var problems: [Problem]

    public var description: String {
        problems.map { "\(file):\($0.line): \($0.message)" }.joined(separator: "\n")
            + "\nnothing was imported (\(problems.count) problem\(problems.count == 1 ? "" : "s"))"
    }
}

/// Phone numbers in E.164.
public enum PhoneNumber {
    /// A number that cannot be made E.164, with why.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Normalizes a written number to E.164 (`+16175550100`).
    ///
    /// Spaces, dashes, dots and parentheses are ignored; `00` or `+` starts an international
    /// number; a national number gets the default country code (its trunk `0` dropped).
    /// North American numbers are checked for a valid area code and exchange.
    public static func e164(_ written: String, defaultCountryCode: String = "1") throws(Invalid) -> String {
        let kept = written.filter { !" -.()/\t".contains($0) }
        if kept.lowercased().contains("x") || kept.contains(";") || kept.contains(",") {
            throw Invalid(description: "phone '\(written)' has an extension or pause; give the number alone")
        }
        var digits: String
        if kept.hasPrefix("+") {
            digits = String(kept.dropFirst())
        } else if kept.hasPrefix("00") {
            digits = String(kept.dropFirst(2))
        } else {
            var national = kept
            if defaultCountryCode == "1" {
                if national.count == 11, national.hasPrefix("1") { national.removeFirst() }
            } else if national.hasPrefix("0") {
                national.removeFirst()
            }
            digits = defaultCountryCode + national
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Invalid(description: "phone '\(written)' holds characters that are not digits")
        }
        guard (8...15).contains(digits.count), digits.first != "0" else {
            throw Invalid(description: "phone '\(written)' is not a valid number (E.164 numbers have 8 to 15 digits)")
        }
        if digits.hasPrefix("1") {
            let national = Array(digits.dropFirst())
            guard national.count == 10, ("2"..."9").contains(national[0]), ("2"..."9").contains(national[3]) else {
                throw Invalid(description: "phone '\(written)' is not a valid North American number (area code and exchange start with 2-9)")
            }
        }
        return "+" + digits
    }
}
