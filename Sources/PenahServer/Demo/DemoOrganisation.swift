import PenahDomain

/// The demo organisation: the public DOST centres, the Karabakh regional centre in Barda with its
/// branches, SXA and two shelters. Shelter names are invented; nothing here is a real address.
enum DemoOrganisation {
    struct UnitSeed {
        let code: String
        let kind: UnitKind
        let name: String
        var parent: String? = nil
        var capacity: Int? = nil
    }

    /// One member of staff per role, all sharing `demoPassword` (demo data only; never in production).
    static let staff: [(username: String, name: String, role: Role, unit: String)] = [
        ("demo.reception", "Günel Məmmədova", .reception, "BAKU-1"),
        ("demo.lawyer", "Rəşad Əliyev", .lawyer, "BAKU-1"),
        ("demo.psychologist", "Nərmin İsmayılova", .psychologist, "BAKU-1"),
        ("demo.supervisor", "Elçin Hüseynov", .supervisor, "BAKU-1"),
        ("demo.callcentre", "Aynur Quliyeva", .callCentre, "HQ"),
        ("demo.sxa", "Tural Səfərov", .sxaOfficer, "SXA"),
        ("demo.shelter", "Səbinə Rzayeva", .shelterStaff, "SHELTER-SXA-1"),
        ("demo.auditor", "Kamran Nəsirov", .auditor, "HQ"),
        ("demo.admin", "Lalə Kərimova", .admin, "HQ"),
    ]
    static let demoPassword = "penah demo — not for real data"

    static let units: [UnitSeed] = [
        .init(code: "HQ", kind: .hq, name: "DOST Agentliyi"),
        .init(code: "BAKU-1", kind: .centre, name: "Bakı şəhəri 1 saylı DOST mərkəzi", parent: "HQ"),
        .init(code: "BAKU-2", kind: .centre, name: "Bakı şəhəri 2 saylı DOST mərkəzi", parent: "HQ"),
        .init(code: "BAKU-3", kind: .centre, name: "Bakı şəhəri 3 saylı DOST mərkəzi", parent: "HQ"),
        .init(code: "BAKU-4", kind: .centre, name: "Bakı şəhəri 4 saylı DOST mərkəzi", parent: "HQ"),
        .init(code: "BAKU-5", kind: .centre, name: "Bakı şəhəri 5 saylı DOST mərkəzi", parent: "HQ"),
        .init(code: "ABSHERON", kind: .centre, name: "Abşeron rayon DOST mərkəzi", parent: "HQ"),
        .init(code: "KARABAKH", kind: .regionalCentre, name: "Qarabağ regional DOST mərkəzi (Bərdə)", parent: "HQ"),
        .init(code: "KARABAKH-AGDAM", kind: .branch, name: "Ağdam DOST filialı", parent: "KARABAKH"),
        .init(code: "KARABAKH-TARTAR", kind: .branch, name: "Tərtər DOST filialı", parent: "KARABAKH"),
        .init(code: "KARABAKH-AGJABEDI", kind: .branch, name: "Ağcabədi DOST filialı", parent: "KARABAKH"),
        .init(code: "SXA", kind: .sxa, name: "Sosial Xidmətlər Agentliyi"),
        .init(code: "SHELTER-SXA-1", kind: .shelter, name: "SXA sosial reabilitasiya mərkəzi", parent: "SXA", capacity: 40),
        .init(code: "SHELTER-NGO-1", kind: .shelter, name: "«Ümid yeri» QHT sığınacağı", parent: "SXA", capacity: 18),
    ]
}
