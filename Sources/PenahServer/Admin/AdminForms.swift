/// A choice in an admin form's `<select>`: a catalogue key, or a literal label (unit names).
struct SelectOption: Encodable {
    let value: String
    let labelKey: String?
    let label: String?
}
