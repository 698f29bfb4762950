import Foundation

/// What the sounds folder is like, looked at without changing anything.
public enum SoundsFolderStatus: Sendable, Hashable {
    /// A folder TouchBase can write into.
    case writable
    /// A folder TouchBase cannot write into, with the system's reason.
    case notWritable(reason: String)
    /// Something other than a folder is at the path.
    case notAFolder
    /// Nothing is there; the nearest thing that exists above it, and whether it is a folder
    /// TouchBase can create the rest in.
    case missing(parent: String, parentWritable: Bool)

    /// Looks at `path` (absolute): no folder is created, no file written.
    public init(inspecting path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            var parent = (path as NSString).deletingLastPathComponent
            while !parent.isEmpty, parent != "/", stat(parent, &info) != 0 { parent = (parent as NSString).deletingLastPathComponent }
            if parent.isEmpty { parent = "/" }
            let isFolder = stat(parent, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            self = .missing(parent: parent, parentWritable: isFolder && access(parent, W_OK) == 0)
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { self = .notAFolder; return }
        self = access(path, W_OK) == 0 ? .writable : .notWritable(reason: String(cString: strerror(errno)).lowercased())
    }
}
