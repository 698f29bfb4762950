import Cadence

extension ContactImport {
    /// Parses and checks a whole file as read from disk, refusing bytes that are not UTF-8.
    ///
    /// A spreadsheet saved as Latin-1 or Windows-1252 is refused with the line of its first
    /// byte that is not UTF-8, rather than decoded by guess: a guessed name would be spoken wrong.
    /// A leading byte-order mark is skipped.
    ///
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - file: the file's name, for errors.
    /// - Returns: the contacts, in file order.
    /// - Throws: ``ContactImportError`` naming the line that is not UTF-8, or every bad row.
    public func contacts(fromCSVBytes bytes: [UInt8], file: String) throws(ContactImportError) -> [Contact] {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        var iterator = body.makeIterator()
        if let line = Self.firstLineNotUTF8(&iterator) { throw Self.notUTF8(file: file, line: line) }
        return try contacts(fromCSV: String(decoding: body, as: UTF8.self), file: file)
    }

    /// The 1-based line of the first byte sequence that is not UTF-8, or `nil` when all is.
    static func firstLineNotUTF8<Bytes: IteratorProtocol<UInt8>>(_ iterator: inout Bytes) -> Int? {
        var decoder = UTF8()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput: return nil
            case .error: return line
            }
        }
    }

    /// The refusal of a file with a line that is not UTF-8.
    static func notUTF8(file: String, line: Int) -> ContactImportError {
        ContactImportError(file: file, problems: [.init(
            line: line, message: "this line is not UTF-8 text (saved as Latin-1 or Windows-1252?); save the file as UTF-8 and import it again")])
    }
}
