/// What an SVG `<use>` element shows in Chromium's tree. A `<use>` renders a copy of the element
/// its `href` (or the older `xlink:href`) points to, in a shadow tree that Chromium exposes: the
/// copy of a `<symbol>` (an inner `<svg>`) becomes a `group` named by the symbol's `<title>`, the
/// usual icon sprite (`<svg><use href="#icon-search"/></svg>`), and a link wrapping the icon
/// counts that name in its own.
enum SVGUse {
    /// The title of the `<symbol>` or `<svg>` a `<use>` references in the same document, if any.
    static func symbolTitle(of use: HTMLElement, in document: HTMLDocument) -> String? {
        guard let target = referencedElement(of: use, in: document), target.tag == "symbol" || target.tag == "svg" else {
            return nil
        }
        return RoleMapping.svgTitle(of: target)
    }

    static func referencedElement(of use: HTMLElement, in document: HTMLDocument) -> HTMLElement? {
        guard let href = use.attribute("href") ?? use.attribute("xlink:href"), href.hasPrefix("#") else { return nil }
        return document.element(withID: String(href.dropFirst()))
    }
}
