import Cadence
import Foundation
import Synchronization

/// Contacts to import, handed to the store a batch at a time inside its one transaction, so an
/// import of any size is never in memory at once and is still all or nothing.
public protocol ContactBatches: Sendable {
    /// The next batch, in file order, or `nil` after the last.
    ///
    /// - Throws: when the source holds a problem (a bad row, a file that cannot be read); the
    ///   store then rolls back and stores nothing.
    func next() throws -> [Contact]?
}

/// Contacts already in memory, as one batch.
public final class ContactList: ContactBatches {
    private let contacts: Mutex<[Contact]?>

    /// Wraps a list.
    public init(_ contacts: [Contact]) { self.contacts = Mutex(contacts) }

    public func next() throws -> [Contact]? {
        contacts.withLock { contacts in
            defer { contacts = nil }
            return contacts
        }
    }
}

/// A CSV file's contacts, checked as they are read, a batch at a time.
///
/// Good rows come in batches while every row so far is good; after the first bad row the rest
/// of the file is still checked, so every problem is reported, and the last call throws
/// ``ContactImportError`` with them all.
public final class ContactFileBatches: ContactBatches {
    private struct Reading {
        var bytes: FileBytes
        var decoder = UTF8()
        var check: ContactFileCheck
        var ended = false
    }

    private let reading: Mutex<Reading>
    private let size: Int

    fileprivate init(handle: FileHandle, file: String, importer: ContactImport, size: Int) {
        reading = Mutex(Reading(bytes: FileBytes(handle: handle, file: file), check: ContactFileCheck(importer: importer, file: file)))
        self.size = max(1, size)
    }

    public func next() throws -> [Contact]? {
        try reading.withLock { reading in
            guard !reading.ended else { return nil }
            var batch: [Contact] = []
            batch.reserveCapacity(size)
            while batch.count < size {
                switch reading.decoder.decode(&reading.bytes) {
                case .scalarValue(let scalar):
                    if let contact = try reading.check.take(scalar) { batch.append(contact) }
                case .error:
                    // The file changed since its UTF-8 was checked.
                    if let contact = try reading.check.take("\u{FFFD}") { batch.append(contact) }
                case .emptyInput:
                    if let failure = reading.bytes.failure { throw failure }
                    reading.ended = true
                    if let contact = try reading.check.end() { batch.append(contact) }
                    return batch
                }
            }
            return batch
        }
    }
}

/// A file's bytes, read 64 KiB at a time.
struct FileBytes: IteratorProtocol {
    let handle: FileHandle
    let file: String
    private var chunk: [UInt8] = []
    private var index = 0
    /// Why reading stopped early, if it did.
    private(set) var failure: StoreError?

    init(handle: FileHandle, file: String) {
        self.handle = handle
        self.file = file
    }

    mutating func next() -> UInt8? {
        if index == chunk.count {
            guard failure == nil else { return nil }
            do {
                chunk = Array(try handle.read(upToCount: 1 << 16) ?? Data())
            } catch {
                failure = StoreError("\(file) cannot be read: \(error)")
                chunk = []
            }
            index = 0
            if chunk.isEmpty { return nil }
        }
        defer { index += 1 }
        return chunk[index]
    }
}

extension ContactImport {
    /// Opens a CSV file for an import a batch at a time, after checking that all of it is UTF-8.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - size: contacts per batch.
    ///   - name: the name problems give the file, when not `path` (a copy of standard input).
    /// - Returns: `nil` when the file cannot be opened (missing, a folder, no permission).
    /// - Throws: ``ContactImportError`` naming the line that is not UTF-8.
    public func batches(path: String, size: Int = 1000, named name: String? = nil) throws -> ContactFileBatches? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
              let check = FileHandle(forReadingAtPath: path), let handle = FileHandle(forReadingAtPath: path) else { return nil }
        let path = name ?? path
        var bytes = FileBytes(handle: check, file: path)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        var start: [UInt8] = []
        while start.count < 3, let byte = bytes.next() { start.append(byte) }
        var body = (start == bom ? [] : start).makeIterator().chained(with: bytes)
        let line = Self.firstLineNotUTF8(&body)
        try? check.close()
        if let failure = body.rest.failure { throw failure }
        if let line { throw Self.notUTF8(file: path, line: line) }
        return ContactFileBatches(handle: handle, file: path, importer: self, size: size)
    }
}

/// One iterator's bytes, then another's.
struct ChainedBytes<First: IteratorProtocol<UInt8>, Rest: IteratorProtocol<UInt8>>: IteratorProtocol {
    var first: First
    var rest: Rest

    mutating func next() -> UInt8? { first.next() ?? rest.next() }
}

extension IteratorProtocol where Element == UInt8 {
    func chained<Rest: IteratorProtocol<UInt8>>(with rest: Rest) -> ChainedBytes<Self, Rest> { ChainedBytes(first: self, rest: rest) }
}

/// The follow-up each new contact of one import starts with, worked out once per time zone: for
/// one `now` and policy it depends on the zone and the do-not-call mark alone, and working out
/// the first calling window and its JSON for every row was two thirds of a large import's time.
public struct FollowUpStarts {
    private let now: Date
    private let policy: CallingPolicy
    private var known: [String: (state: FollowUpState, json: String)] = [:]

    /// Starts for an import at `now`.
    public init(now: Date, policy: CallingPolicy) {
        self.now = now
        self.policy = policy
    }

    /// A new contact's starting state, and that state as stored.
    public mutating func start(for contact: Contact) throws -> (state: FollowUpState, json: String) {
        let key = contact.doNotCall ? contact.timeZone + "\u{0}dnc" : contact.timeZone
        if let start = known[key] { return start }
        let state = FollowUp.start(contact: contact, now: now, policy: policy)
        let start = (state, try StoredJSON.encode(state))
        known[key] = start
        return start
    }
}
