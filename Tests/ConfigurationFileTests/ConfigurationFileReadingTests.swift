import ConfigurationFile
import Foundation
import Settings
import Testing

@Suite("Reading the configuration file")
struct ConfigurationFileReadingTests {
    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("touchbase-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func loadingProblem(_ path: String) -> SettingsProblem? {
        do {
            _ = try TouchBaseConfiguration.load(from: path)
            return nil
        } catch {
            return error as? SettingsProblem
        }
    }

    @Test("a folder given as the configuration file is one line naming the path, not a Cocoa error")
    func folder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let problem = try #require(loadingProblem(folder))
        #expect(problem.description == "\(folder): is a folder, not a configuration file")
    }

    @Test("a missing file is named", arguments: ["/nonexistent/touchbase.toml"])
    func missing(path: String) throws {
        let problem = try #require(loadingProblem(path))
        #expect(problem.description == "\(path): no such configuration file")
    }

    @Test("a file without read permission is one line with the system's reason",
          .enabled(if: getuid() != 0, "root reads any file"))
    func unreadable() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/touchbase.toml"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("[agi]\n".utf8), attributes: [.posixPermissions: 0o000]))
        let problem = try #require(loadingProblem(path))
        #expect(problem.description == "\(path): cannot read the configuration file: permission denied")
        #expect(!problem.description.contains("NSCocoaErrorDomain") && !problem.description.contains("\n"))
    }

    @Test("a file that is not UTF-8 is named")
    func notText() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/touchbase.toml"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0x5B, 0xE9, 0xFF, 0x5D])))
        #expect(loadingProblem(path)?.description == "\(path): is not UTF-8 text")
    }

    @Test("every command finds the file the same way: --config, then TOUCHBASE_CONFIG, then ./touchbase.toml")
    func discovery() {
        #expect(TouchBaseConfiguration.path(explicit: "/a.toml", environment: ["TOUCHBASE_CONFIG": "/b.toml"]) == "/a.toml")
        #expect(TouchBaseConfiguration.path(explicit: nil, environment: ["TOUCHBASE_CONFIG": "/b.toml"]) == "/b.toml")
    }
}
