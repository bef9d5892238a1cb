import Foundation

/// The element lines of a text observation in order, each with its tab depth and whether it lies in
/// site chrome (`CandidateActions.chromeRoles`: navigation, search, header, footer, menus, forms), the
/// line that opens the chrome included. Answers and facts live outside it: the stop candidates and
/// `PageFacts` read the same content this way.
public struct PageLines: Sequence {
    public struct Line: Sendable, Hashable {
        public let depth: Int
        public let element: CandidateActions.Element
        public let inChrome: Bool
    }

    let text: String

    public init(_ text: String) { self.text = text }

    public func makeIterator() -> Iterator { Iterator(lines: text.split(whereSeparator: \.isNewline).makeIterator()) }

    public struct Iterator: IteratorProtocol {
        var lines: [Substring].Iterator
        var chrome: [Int] = []   // depths of the enclosing chrome lines

        public mutating func next() -> Line? {
            while let raw = lines.next() {
                let depth = raw.prefix(while: { $0 == "\t" }).count
                while let last = chrome.last, last >= depth { chrome.removeLast() }
                guard let element = CandidateActions.elements(in: String(raw)).first else { continue }
                if CandidateActions.chromeRoles.contains(element.role) {
                    chrome.append(depth)
                    return Line(depth: depth, element: element, inChrome: true)
                }
                return Line(depth: depth, element: element, inChrome: !chrome.isEmpty)
            }
            return nil
        }
    }
}
