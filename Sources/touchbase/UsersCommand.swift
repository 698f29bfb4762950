import ArgumentParser
import Console
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

/// `touchbase users add NAME --role admin|owner`: the web console's accounts.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "The web console's accounts.",
        subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console account, or set its role and password anew.",
            discussion: """
                An owner account's NAME is the owner name on its contacts (the CSV's owner column): it sees and changes \
                only those. The password is read without echo from the terminal, or as the first line of standard input.
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The name to log in with; for an owner, the owner name on their contacts.") var name: String
        @Option(help: "admin (everything) or owner (their own contacts).") var role: String

        func validate() throws {
            guard ConsoleRole(rawValue: role) != nil else { throw ValidationError("--role must be admin or owner, not '\(role)'") }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, !name.contains(where: \.isNewline) else {
                throw ValidationError("the name must not be empty or hold a line break")
            }
        }

        func run() async throws {
            let password = try Self.readPassword()
            guard password.count >= 8 else { throw ValidationError("the password must have at least 8 characters") }
            let hash = try await PasswordHashing.hash(password)
            let db = try await store.open()
            try await db.saveAccount(ConsoleAccount(name: name, role: ConsoleRole(rawValue: role) ?? .owner, passwordHash: hash, createdAt: Date()))
            try await db.recordAudit(AuditEntry(at: Date(), account: "touchbase users add", action: "account", detail: "\(name) as \(role)"))
            print("account \(name) (\(role)) saved")
        }

        /// The password: typed at the terminal without echo, else the first line of standard input.
        static func readPassword() throws -> String {
            if isatty(STDIN_FILENO) == 1 {
                guard let typed = getpass("Password: ") else { throw ValidationError("no password given") }
                return String(cString: typed)
            }
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
            return line
        }
    }
}
