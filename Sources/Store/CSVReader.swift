/// RFC 4180 CSV read a Unicode scalar at a time, so a file of any length is parsed in bounded
/// memory: a byte-order mark, CRLF or LF, quoted fields holding commas, quotes and line breaks.
///
/// Each scalar is decided when the next one is known (a quote inside quotes may be doubled, a
/// CR may start a CRLF), so ``feed(_:)`` holds one scalar back and ``finish()`` decides it.
struct CSVReader {
    /// A record and the line it starts on.
    typealias Record = (line: Int, fields: [String])

    private var fields: [String] = []
    private var field = ""
    private var quoted = false
    private var line = 1
    private var recordLine = 1
    private var atFieldStart = true
    private var held: Unicode.Scalar?
    private var started = false

    /// Takes the next scalar of the text.
    ///
    /// - Returns: a record, when the scalar held back ended one.
    /// - Throws: a quote inside an unquoted field, with its line.
    mutating func feed(_ next: Unicode.Scalar) throws(ContactImportError.Problem) -> Record? {
        if !started {
            started = true
            if next == "\u{FEFF}" { return nil }
        }
        guard let scalar = held else {
            held = next
            return nil
        }
        held = next
        return try decide(scalar)
    }

    /// Ends the text.
    ///
    /// - Returns: the last record, when the text does not end with a line break.
    /// - Throws: a quoted field never closed, or a quote inside an unquoted field.
    mutating func finish() throws(ContactImportError.Problem) -> Record? {
        var record: Record?
        if let scalar = held {
            held = nil
            record = try decide(scalar)
        }
        if quoted { throw ContactImportError.Problem(line: recordLine, message: "a quoted field is never closed") }
        if record == nil, !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            record = (recordLine, fields)
            (fields, field) = ([], "")
        }
        return record
    }

    /// Decides one scalar, `held` being the one after it (`nil` at the end); clearing `held`
    /// consumes it.
    private mutating func decide(_ c: Unicode.Scalar) throws(ContactImportError.Problem) -> Record? {
        let pending = held
        if quoted {
            if c == "\"" {
                if pending == "\"" {
                    field.unicodeScalars.append("\"")
                    held = nil
                } else {
                    quoted = false
                }
            } else {
                if c == "\n" { line += 1 }
                field.unicodeScalars.append(c)
            }
            return nil
        }
        switch c {
        case "\"" where atFieldStart:
            quoted = true
            atFieldStart = false
        case ",":
            fields.append(field)
            field = ""
            atFieldStart = true
        case "\r" where pending == "\n":
            return nil
        case "\n", "\r":
            fields.append(field)
            let record = (recordLine, fields)
            fields = []
            field = ""
            atFieldStart = true
            line += 1
            recordLine = line
            return record
        default:
            if c == "\"" { throw ContactImportError.Problem(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote") }
            field.unicodeScalars.append(c)
            atFieldStart = false
        }
        return nil
    }
}
