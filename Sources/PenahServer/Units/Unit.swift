import Fluent
import Foundation
import PenahDomain

/// An organisational unit: DOST HQ, a centre, a regional centre, a branch, SXA, or a shelter.
final class Unit: Model, @unchecked Sendable {
    static let schema = "units"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "kind") var kind: UnitKind
    @Field(key: "name") var name: String
    @OptionalParent(key: "parent_id") var parent: Unit?
    @OptionalField(key: "capacity") var capacity: Int?
    /// Desks at a serving unit (added by migration 006); nil means `Unit.defaultDesks`.
    @OptionalField(key: "desk_count") var deskCount: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(code: String, kind: UnitKind, name: String, parentID: UUID?, capacity: Int?) {
        self.code = code
        self.kind = kind
        self.name = name
        self.$parent.id = parentID
        self.capacity = capacity
    }

    static let defaultDesks = 6
    var desks: Int { deskCount ?? Self.defaultDesks }
}
