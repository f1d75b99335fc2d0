import Fluent

/// Every migration, in order. Each has an explicit name and is never edited once landed; changes
/// come as new migrations. All of them run on SQLite and PostgreSQL alike: enums are strings, and
/// no constraint is altered after a table exists.
enum PenahMigrations {
    static let all: [any Migration] = [
        CreateUnits(),
        CreateStaff(),
        CreateAudit(),
        CreateSessions(),
        CreateVaultKeys(),
        CreateTickets(),
        CreateIdempotentResponses(),
        CreateCases(),
        CreateCaseWork(),
        CreateNotices(),
        CreatePlacement(),
        CreateTicketCallingOrder(),
        NarrowTicketCallingOrder(),
        CreateKeyRecords(),
        CreateHealthProbes(),
        UniqueCaseTicket(),
        OneOpenPlacementPerCase(),
        CreateCaseDocumentContents(),
        CreateParkedForms(),
        CasesRegisteredMs(),
        CreateStaffNotifications(),
        CreateClockWarnings(),
        CasesResponsibleWorker(),
    ]
}
