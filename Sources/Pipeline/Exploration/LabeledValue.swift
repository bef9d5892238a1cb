import Foundation

/// A page text that states one value under a short field name: "Price: $166.99", "Date of birth:
/// 12 May 1990", "Score: 10 points." The one rule for what counts as such a text, shared by the stop
/// answers a policy is offered (`CandidateActions.stops`) and the facts a grounded label asks about
/// (`PageFacts`), so an answer read from the page is always one the student can choose.
public struct LabeledValue: Sendable, Hashable {
    public var label: String
    public var value: String

    /// Nil for a text without ": ", or whose part before it is not a field name (a sentence that
    /// happens to hold a colon: "You're reviewing: …").
    public init?(_ text: String) {
        guard let colon = text.range(of: ": ") else { return nil }
        let label = text[..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
        // The sentence's full stop is not part of the value: "Score: 10 points." answers "10 points".
        let value = text[colon.upperBound...].trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ".")))
        guard Self.isFieldName(label), !value.isEmpty else { return nil }
        self.label = label
        self.value = value
    }

    /// A short field name: up to three capitalised words of letters ("Price", "Date of birth").
    static func isFieldName(_ text: String) -> Bool {
        !text.isEmpty && text.first?.isUppercase == true && text.split(separator: " ").count <= 3
            && text.allSatisfy { $0.isLetter || $0 == " " }
    }
}
