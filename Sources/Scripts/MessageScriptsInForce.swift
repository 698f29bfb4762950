import Foundation
import Synchronization

/// The templates `touchbase serve` speaks from, read again when the templates folder changes: a
/// template saved from the console's Messages page, or a file put in place by hand, is spoken
/// from the next message on, without a restart.
///
/// A folder that no longer loads (a template with an error) leaves the templates already in
/// force: a call never speaks a broken template, and never stops for one.
public final class MessageScriptsInForce: Sendable {
    /// The templates folder (`[speech] templates`); `nil` when the built-in templates are in force.
    public let folder: String?
    private let state: Mutex<(scripts: MessageScripts, stamp: TemplatesFolderStamp)>

    /// Loads the folder's templates (or the built-in ones when `folder` is `nil`).
    ///
    /// - Throws: ``TemplateError`` with every error, as ``MessageScripts/init(folder:)``.
    public init(folder: String?) throws(TemplateError) {
        self.folder = folder
        let stamp = folder.map(TemplatesFolderStamp.init(folder:)) ?? TemplatesFolderStamp()
        state = Mutex((try folder.map { folder throws(TemplateError) in try MessageScripts(folder: folder) } ?? MessageScripts(), stamp))
    }

    /// Templates that never change: no folder is watched.
    public init(_ scripts: MessageScripts) {
        folder = nil
        state = Mutex((scripts, TemplatesFolderStamp()))
    }

    /// The templates in force now.
    public var scripts: MessageScripts { state.withLock { $0.scripts } }

    /// Reads the folder again when a file in it was added, removed or changed since it was last
    /// read.
    ///
    /// - Returns: the templates now in force when they changed; `nil` when nothing changed.
    /// - Throws: ``TemplateError`` when the folder changed but no longer loads; the templates in
    ///   force stay, and the same broken folder is not reported again until it changes again.
    @discardableResult
    public func reloadIfChanged() throws(TemplateError) -> MessageScripts? {
        guard let folder else { return nil }
        let stamp = TemplatesFolderStamp(folder: folder)
        guard state.withLock({ $0.stamp != stamp }) else { return nil }
        let loaded: MessageScripts
        do {
            loaded = try MessageScripts(folder: folder)
        } catch {
            state.withLock { $0.stamp = stamp }
            throw error
        }
        state.withLock { $0 = (loaded, stamp) }
        return loaded
    }
}

/// What a templates folder holds, to tell cheaply whether it changed: each file's path, size,
/// modification time and inode (a file replaced by a rename is a new inode even within the
/// clock's resolution).
struct TemplatesFolderStamp: Hashable, Sendable {
    private var files: [String] = []

    init() {}

    init(folder: String) {
        let fileManager = FileManager.default
        var stack = [folder]
        while let directory = stack.popLast() {
            for entry in (try? fileManager.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = (directory as NSString).appendingPathComponent(entry)
                guard let attributes = try? fileManager.attributesOfItem(atPath: path) else { continue }
                if attributes[.type] as? FileAttributeType == .typeDirectory {
                    if directory == folder { stack.append(path) }
                    continue
                }
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                files.append("\(path)\t\(attributes[.size] ?? 0)\t\(modified)\t\(attributes[.systemFileNumber] ?? 0)")
            }
        }
        files.sort()
    }
}
