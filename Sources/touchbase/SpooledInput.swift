import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Standard input (`-`) or a pipe, copied into a temporary file only this user can read, so
/// it can be read more than once; a regular file needs no copy.
struct SpooledInput {
    let path: String

    /// The copy of `file` when it is `-` or not a regular file (a pipe, `/dev/stdin`); `nil` for
    /// a regular file, a folder or a missing file, which are read (or refused) where they are.
    ///
    /// - Throws: ``ContactsCommand/ImportFileError`` when the input cannot be read or the copy
    ///   cannot be written.
    init?(_ file: String) throws {
        let input: FileHandle
        if file == "-" {
            input = .standardInput
        } else {
            var status = stat()
            guard stat(file, &status) == 0, status.st_mode & S_IFMT != S_IFREG, status.st_mode & S_IFMT != S_IFDIR,
                  let handle = FileHandle(forReadingAtPath: file) else { return nil }
            input = handle
        }
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("touchbase-import-\(UUID().uuidString).csv")
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: path) else {
            throw ContactsCommand.ImportFileError(description: "cannot copy \(file) into \(path) to read it: the temporary folder is not writable")
        }
        defer { try? output.close() }
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw ContactsCommand.ImportFileError(description: "cannot read \(file == "-" ? "standard input" : file): \(error.localizedDescription)")
        }
    }

    /// Deletes the copy.
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
