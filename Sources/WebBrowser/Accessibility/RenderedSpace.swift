/// Whether an element whose content text is blank still lays out a space: collapsible white space
/// survives, as one space, between two inline boxes of the same line (CSS Text 3 §4.1.1), so
/// `<a title=T><img> <img></a>` renders "img space img". Chromium's name from content is then that
/// space, which is not empty, so the tooltip step never runs, and the trimmed name is ''; with
/// nothing between the images, or white space only at the line's ends, the link is named by its
/// title. A `<br>` is content in the same way (checked against Chromium 156 on probe pages: salon-1's thumbnail links).
enum RenderedSpace {
    /// Elements laid out as inline boxes of their own, which keep a space between them.
    private static let inlineObjects: Set<String> = [
        "img", "svg", "video", "canvas", "iframe", "object", "embed", "input", "select", "textarea", "button", "meter", "progress",
    ]

    static func between(inlineContentOf element: HTMLElement, state: FormState) -> Bool {
        // The line so far: nothing yet, an inline box, or an inline box then white space.
        enum Line { case empty, object, objectThenSpace }
        var line = Line.empty
        var stack: [(children: [HTMLNode], next: Int, block: Bool)] = [(element.children, 0, false)]
        while !stack.isEmpty {
            let top = stack.count - 1
            guard stack[top].next < stack[top].children.count else {
                // A block's end ends the line.
                if stack.removeLast().block { line = .empty }
                continue
            }
            let child = stack[top].children[stack[top].next]
            stack[top].next += 1
            switch child {
            case .text(let text):
                if text.text.isBlank {
                    if line == .object { line = .objectThenSpace }
                } else {
                    line = .object
                }
            case .element(let e):
                if Visibility.hidesSubtree(e, state: state) { continue }
                // A line break is content of its own: Chromium's name from content holds it.
                if e.tag == "br" { return true }
                if inlineObjects.contains(e.tag) {
                    if line == .objectThenSpace { return true }
                    line = .object
                    continue
                }
                let block = Visibility.isBlock(e)
                if block { line = .empty }
                stack.append((e.children, 0, block))
            }
        }
        return false
    }
}
