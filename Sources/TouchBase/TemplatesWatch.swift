import Logging
import Scripts
import ServiceLifecycle

/// Reads the templates folder again whenever a file in it changes, so a template saved on the
/// console of another node sharing the folder, or edited by hand, is spoken without a restart.
/// A change that does not load is logged once with every error, and the templates in force stay.
struct TemplatesWatch: Service {
    let templates: MessageScriptsInForce
    let logger: Logger
    var interval: Duration = .seconds(5)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                check()
            }
        }
    }

    func check() {
        let folder = templates.folder ?? ""
        do {
            if let loaded = try templates.reloadIfChanged() {
                logger.info("Templates read again; the next messages speak them", metadata: ["folder": "\(folder)"])
                for warning in loaded.warnings { logger.warning("\(warning)") }
            }
        } catch {
            logger.error("Templates changed but do not load; the templates in force stay until they are fixed",
                         metadata: ["folder": "\(folder)", "errors": "\(error.problems.map(\.description).joined(separator: "; "))"])
        }
    }
}
