import Foundation
import Settings

/// The text of a configuration file, with a one-line reason naming the path when there is none.
enum ConfigurationFileText {
    /// Whether something is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Reads the file at `path` as UTF-8 text.
    ///
    /// - Throws: ``SettingsProblem`` naming the path: missing, a folder, not readable (with the
    ///   system's reason), or not UTF-8.
    static func read(_ path: String) throws -> String {
        func problem(_ message: String) -> SettingsProblem { SettingsProblem(key: "", message: message, file: path) }
        func reason() -> String { String(cString: strerror(errno)).lowercased() }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw problem(errno == ENOENT ? "no such configuration file" : "cannot read the configuration file: \(reason())")
        }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw problem("is a folder, not a configuration file") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw problem("is not a regular file") }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw problem("cannot read the configuration file: \(reason())") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw problem("cannot read the configuration file: \(reason())")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw problem("is not UTF-8 text") }
        return text
    }
}
