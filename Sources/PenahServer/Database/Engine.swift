import Fluent
import FluentSQLiteDriver
import SQLKit

/// The one way Penah asks which database it runs on. Most code never asks: Fluent and SQLKit speak
/// both. The few statements that differ (row locks, advisory locks, physical row addresses) branch here.
enum DatabaseEngine: Sendable, Equatable {
    case sqlite, postgres

    init(_ db: any Database) {
        self = db is any SQLiteDatabase ? .sqlite : .postgres
    }

    init(_ sql: any SQLDatabase) {
        self = sql.dialect.name == "sqlite" ? .sqlite : .postgres
    }
}

extension Database {
    var engine: DatabaseEngine { DatabaseEngine(self) }
}
