import Dialer
import Foundation
import Speech

/// The folders `touchbase serve` writes to, checked before any service starts so that a bad
/// path is one line naming it rather than a failure at the first call.
public enum StartupChecks {
    /// Why the sounds folder cannot be used, or `nil` when it can. A missing folder whose
    /// parent is writable is created when `create` is true (serve), and only reported otherwise
    /// (check-config).
    public static func soundsFolderProblem(_ folder: String, create: Bool) -> String? {
        switch SoundsFolderStatus(inspecting: folder) {
        case .writable:
            return nil
        case .notWritable(let reason):
            return "cannot write to the sounds folder \(folder): \(reason)"
        case .notAFolder:
            return "the sounds folder \(folder) is not a folder"
        case .missing(let parent, false):
            return "the sounds folder \(folder) does not exist and cannot be created in \(parent), which is not a writable folder"
        case .missing(let parent, true):
            guard create else { return "the sounds folder \(folder) does not exist (\(parent) is writable, so touchbase serve will create it)" }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                return nil
            } catch {
                return "cannot create the sounds folder \(folder)"
            }
        }
    }

    /// Why call files cannot be written to a spool folder, or `nil` when they can. A folder that
    /// does not exist yet is a problem only when `missingIsProblem` (check-config): serve waits
    /// for Asterisk to be installed, warning, as the README says.
    public static func spoolProblem(_ folder: String, missingIsProblem: Bool = true) -> String? {
        var info = stat()
        guard stat(folder, &info) == 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            return errno == ENOENT && !missingIsProblem ? nil : "cannot write call files to \(folder): \(reason)"
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "cannot write call files to \(folder): it is not a folder" }
        guard access(folder, W_OK) != 0 else { return nil }
        return "cannot write call files to \(folder): \(String(cString: strerror(errno)).lowercased())"
    }
}
