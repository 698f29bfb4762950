import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Places call files into Asterisk's `outgoing/` spool so that Asterisk never reads half a file.
///
/// Each file is written in full into a staging folder on the same file system, flushed to disk,
/// given its start time as modification time (Asterisk leaves files whose time is in the future
/// until then), and only then renamed into `outgoing/`: a rename is atomic, a copy is not.
public struct CallFileSpool: Sendable {
    /// Asterisk's outgoing spool, usually `/var/spool/asterisk/outgoing`.
    public let outgoingDirectory: String
    /// Where files are written before the rename; must be on the same file system.
    public let stagingDirectory: String

    /// Creates a spool writer.
    ///
    /// - Parameters:
    ///   - outgoingDirectory: Asterisk's `outgoing/` folder.
    ///   - stagingDirectory: a folder on the same file system, writable by TouchBase; by default
    ///     `tmp` beside `outgoing` (`/var/spool/asterisk/tmp`).
    public init(outgoingDirectory: String, stagingDirectory: String? = nil) {
        self.outgoingDirectory = outgoingDirectory
        self.stagingDirectory = stagingDirectory
            ?? ((outgoingDirectory as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tmp")
    }

    /// Writes a call file and moves it into the spool.
    ///
    /// - Parameters:
    ///   - callFile: the call to originate.
    ///   - name: the file's name without `.call`: letters, digits, `.`, `_` and `-` only.
    ///   - notBefore: when Asterisk may start the call; `nil` for at once.
    /// - Returns: the file's path in the spool.
    /// - Throws: ``CallFileError`` for values that cannot be written, ``CallFileSpoolError`` for
    ///   file system failures, each naming the path.
    @discardableResult
    public func place(_ callFile: CallFile, name: String, notBefore: Date? = nil) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }),
              !name.hasPrefix(".") else {
            throw CallFileSpoolError(path: name, reason: "a call file name may hold only letters, digits, '.', '_' and '-'")
        }
        let text = try callFile.rendered()
        let staged = (stagingDirectory as NSString).appendingPathComponent("\(name).call.tmp")
        let final = (outgoingDirectory as NSString).appendingPathComponent("\(name).call")

        let fd = open(staged, O_WRONLY | O_CREAT | O_EXCL, 0o660)
        guard fd >= 0 else { throw CallFileSpoolError(path: staged, reason: "cannot be created: \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(staged) }
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            throw CallFileSpoolError(path: staged, reason: "could not be written in full: \(String(cString: strerror(errno)))")
        }
        if let notBefore {
            let seconds = notBefore.timeIntervalSince1970
            var times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
            guard utimensat(AT_FDCWD, staged, &times, 0) == 0 else {
                throw CallFileSpoolError(path: staged, reason: "start time could not be set: \(String(cString: strerror(errno)))")
            }
        }
        guard rename(staged, final) == 0 else {
            let reason = errno == EXDEV
                ? "is on another file system than \(stagingDirectory); a call file must be renamed, not copied, into the spool"
                : String(cString: strerror(errno))
            throw CallFileSpoolError(path: final, reason: "cannot be placed: \(reason)")
        }
        ok = true
        return final
    }
}

/// A file system failure while placing a call file, with the path.
public struct CallFileSpoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file or folder involved.
    public var path: String
    /// What went wrong.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
