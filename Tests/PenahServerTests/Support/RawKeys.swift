import Foundation

/// Message keys that reached a page as they are: a text node or a label-like attribute that reads
/// like `case.status.assessing`. The catalogue returns the key itself for a key it lacks, so looking
/// only for keys that exist would never see a missing one.
func rawKeys(in html: String) -> [String] {
    let key = #"[a-z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+"#
    let patterns = [try! Regex(">\\s*(\(key))\\s*<"), try! Regex("(?:title|aria-label|placeholder|alt|content)=\"(\(key))\"")]
    return patterns.flatMap { html.matches(of: $0).compactMap { $0.output[1].substring.map(String.init) } }
}
