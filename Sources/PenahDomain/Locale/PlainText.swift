/// What free text may hold: anything printable, tabs and line breaks, but no other control
/// characters and no invisible format characters (bidi overrides and isolates, zero-width marks).
public enum PlainText {
    public static func isSafe(_ text: String) -> Bool {
        !text.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control: return !["\t", "\n", "\r"].contains(scalar)
            case .format: return true
            default: return false
            }
        }
    }
}
