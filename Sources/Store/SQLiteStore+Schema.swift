import GRDB

extension SQLiteStore {
    /// The schema, one migration per change; a database of any earlier version is brought up
    /// to date when it is opened, its rows kept.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: contacts, follow-ups, calls, messages") { db in
            try db.execute(sql: """
                CREATE TABLE contact (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    \(ContactSchema.textColumns)
                    do_not_call INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE follow_up (
                    contact_id INTEGER PRIMARY KEY REFERENCES contact(id) ON DELETE CASCADE,
                    phase TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    next_call_start REAL,
                    state TEXT NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX follow_up_due ON follow_up(phase, next_call_start);
                CREATE TABLE call (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    call_id TEXT NOT NULL UNIQUE,
                    contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    dial_number INTEGER NOT NULL,
                    started_at REAL NOT NULL,
                    ended_at REAL,
                    asterisk_unique_id TEXT,
                    variables TEXT,
                    outcome TEXT,
                    message_left INTEGER,
                    played_share REAL,
                    voice TEXT,
                    next_call_start REAL,
                    next_call_end REAL,
                    promise TEXT,
                    note TEXT
                );
                CREATE INDEX call_contact ON call(contact_id, started_at);
                CREATE TABLE message (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    promise TEXT,
                    audio_path TEXT,
                    voice TEXT,
                    rendered_at REAL NOT NULL
                );
                CREATE INDEX message_contact ON message(contact_id, rendered_at);
                """)
        }
        migrator.registerMigration("v2: who placed a call, its trunk and its prepared message") { db in
            try db.execute(sql: """
                ALTER TABLE call ADD COLUMN origin TEXT NOT NULL DEFAULT 'dialer';
                ALTER TABLE call ADD COLUMN trunk TEXT;
                ALTER TABLE call ADD COLUMN planned_message TEXT;
                CREATE INDEX call_open ON call(ended_at, started_at);
                """)
        }
        migrator.registerMigration("v3: the call's linkedid, joining its legs and its CDRs") { db in
            try db.execute(sql: """
                ALTER TABLE call ADD COLUMN asterisk_linked_id TEXT;
                CREATE INDEX call_linked ON call(asterisk_linked_id);
                """)
        }
        migrator.registerMigration("v4: claims on due follow-ups, with the node and the lease") { db in
            try db.execute(sql: """
                CREATE TABLE follow_up_claim (
                    contact_id INTEGER PRIMARY KEY REFERENCES contact(id) ON DELETE CASCADE,
                    node TEXT NOT NULL,
                    trunk TEXT NOT NULL,
                    claimed_at REAL NOT NULL,
                    lease_until REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5: the call's AudioSocket and what its greeting analysis learnt") { db in
            try db.execute(sql: """
                ALTER TABLE call ADD COLUMN audiosocket_id TEXT;
                ALTER TABLE call ADD COLUMN greeting TEXT;
                CREATE UNIQUE INDEX call_audiosocket ON call(audiosocket_id);
                """)
        }
        migrator.registerMigration("v6: web-console accounts and audit log; calls by start, contacts by owner and by any part of name or number") { db in
            try db.execute(sql: """
                CREATE TABLE console_account (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE console_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    account TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE INDEX call_started ON call(started_at);
                CREATE INDEX contact_owner ON contact(owner_name, id);
                CREATE VIRTUAL TABLE contact_search USING fts5(name, phone, content='contact', content_rowid='id', tokenize='trigram');
                INSERT INTO contact_search(contact_search) VALUES ('rebuild');
                CREATE TRIGGER contact_search_insert AFTER INSERT ON contact BEGIN
                    INSERT INTO contact_search(rowid, name, phone) VALUES (new.id, new.name, new.phone);
                END;
                CREATE TRIGGER contact_search_delete AFTER DELETE ON contact BEGIN
                    INSERT INTO contact_search(contact_search, rowid, name, phone) VALUES ('delete', old.id, old.name, old.phone);
                END;
                CREATE TRIGGER contact_search_update AFTER UPDATE OF name, phone ON contact BEGIN
                    INSERT INTO contact_search(contact_search, rowid, name, phone) VALUES ('delete', old.id, old.name, old.phone);
                    INSERT INTO contact_search(rowid, name, phone) VALUES (new.id, new.name, new.phone);
                END;
                """)
        }
        migrator.registerMigration("v7: the call log in its order, read a page at a time") { db in
            // With the rowid every index ends with, (started_at, id): each page of `log` and
            // `report` is a range of this index, not a scan and sort of every call.
            try db.execute(sql: "DROP INDEX call_started; CREATE INDEX call_log ON call(started_at)")
        }
        migrator.registerMigration("v8: console sessions that outlive a restart") { db in
            try db.execute(sql: """
                CREATE TABLE console_session (
                    token_hash TEXT PRIMARY KEY,
                    account TEXT NOT NULL REFERENCES console_account(name) ON DELETE CASCADE,
                    csrf_token TEXT NOT NULL,
                    opened_at REAL NOT NULL,
                    last_used REAL NOT NULL
                );
                CREATE INDEX console_session_account ON console_session(account);
                CREATE INDEX console_session_last_used ON console_session(last_used);
                """)
        }
        return migrator
    }
}
