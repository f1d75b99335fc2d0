/// Time left on a clock, or past it, in the units a person reads at a glance — "12 min",
/// "3 h 20 min", "4 d 7 h" — never "415258 min". Whole minutes, rounded down; seconds never show.
public enum ClockSpan {
    public static func text(seconds: Int, _ language: Language, catalogue: Catalogue = .shared) -> String {
        let minutes = max(0, seconds) / 60
        let (days, hours) = (minutes / 1440, minutes % 1440 / 60)
        switch minutes {
        case ..<60: return catalogue.text("clock.span.m", language, ["m": String(minutes)])
        case ..<1440: return catalogue.text("clock.span.hm", language, ["h": String(hours), "m": String(minutes % 60)])
        default: return catalogue.text("clock.span.dh", language, ["d": String(days), "h": String(hours)])
        }
    }
}
