import Fluent
import Foundation
import PenahDomain
import SQLKit

/// A queue ticket. It holds no personal data, ever: unit, day, series, number, priority, desk, times.
final class Ticket: Model, @unchecked Sendable {
    static let schema = "tickets"

    @ID(key: .id) var id: UUID?
    @Parent(key: "unit_id") var unit: Unit
    /// The Baku calendar day, `yyyy-MM-dd`: numbering restarts each day.
    @Field(key: "day") var day: String
    @Field(key: "series") var series: String
    @Field(key: "number") var number: Int
    @Field(key: "priority") var priority: TicketPriority
    @Field(key: "status") var status: TicketStatus
    @OptionalField(key: "desk") var desk: Int?
    @Field(key: "issued_at") var issuedAt: Date
    @OptionalField(key: "called_at") var calledAt: Date?
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    /// Every column, for raw queries that return whole tickets.
    static let columns = ["id", "unit_id", "day", "series", "number", "priority", "status", "desk", "issued_at",
                          "called_at", "started_at", "finished_at"]

    /// A stored ticket from a raw row of all its `columns`.
    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: UUID.self)
        $unit.id = try row.decode(column: "unit_id", as: UUID.self)
        day = try row.decode(column: "day", as: String.self)
        series = try row.decode(column: "series", as: String.self)
        number = try row.decode(column: "number", as: Int.self)
        priority = try row.decode(column: "priority", as: TicketPriority.self)
        status = try row.decode(column: "status", as: TicketStatus.self)
        desk = try row.decode(column: "desk", as: Int?.self)
        issuedAt = try row.decode(column: "issued_at", as: Date.self)
        calledAt = try row.decode(column: "called_at", as: Date?.self)
        startedAt = try row.decode(column: "started_at", as: Date?.self)
        finishedAt = try row.decode(column: "finished_at", as: Date?.self)
        $id.exists = true
    }

    var label: String { TicketNumber.format(series: series, number: number) }
}
