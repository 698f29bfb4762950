/// The contact table's text columns, the same in every store: SQLite and PostgreSQL differ in
/// the id, the flag and the dates around them, never in these. Frozen: a change is a migration.
package enum ContactSchema {
    /// `name` through `campaign`, as they stand in the first migration of each store.
    package static let textColumns = """
        name TEXT NOT NULL,
        phone TEXT NOT NULL UNIQUE,
        time_zone TEXT NOT NULL,
        owner_name TEXT NOT NULL,
        owner_dial TEXT NOT NULL,
        owner_callback TEXT NOT NULL,
        company TEXT NOT NULL,
        connection TEXT NOT NULL,
        topic TEXT NOT NULL,
        campaign TEXT,
        """
}
