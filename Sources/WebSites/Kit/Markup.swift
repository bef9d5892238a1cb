import Foundation
import NNetnavSupport

/// Small builders for the elements every site repeats; they keep markup semantic (labels bound to
/// inputs, buttons that are buttons) so the accessibility tree the agent sees is rich.
public enum Markup {
    /// A complete document with a skip-free, JavaScript-free layout: header with site name and
    /// navigation, an optional flash message, `main` with the page body, and a footer.
    public static func page(title: String, siteTitle: String, nav: HTML, flash: String? = nil,
                            body: HTML, footer: HTML = .empty, stylesheet: String = Markup.defaultStyle) -> HTML {
        let flashHTML: HTML = flash.map { "<p class=\"flash\" role=\"status\">\($0)</p>" } ?? .empty
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(title) | \(siteTitle)</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>\(HTML(raw: stylesheet))</style></head>
        <body><header><p class="site-title"><a href="/">\(siteTitle)</a></p>\(nav)</header>
        \(flashHTML)<main><h1>\(title)</h1>
        \(body)</main>
        <footer>\(footer)</footer></body></html>
        """
    }

    public static func link(_ text: String, to href: String) -> HTML { "<a href=\"\(href)\">\(text)</a>" }

    /// A labelled text-like input. `id` defaults to the name.
    public static func field(_ label: String, name: String, value: String = "", type: String = "text",
                             required: Bool = false, id: String? = nil, extra: String = "") -> HTML {
        let id = id ?? "f-\(name)"
        let req: HTML = required ? " required" : ""
        let more: HTML = extra.isEmpty ? "" : HTML(raw: " " + extra)
        return """
        <p><label for="\(id)">\(label)</label> <input type="\(type)" id="\(id)" name="\(name)" value="\(value)"\(req)\(more)></p>
        """
    }

    public static func textArea(_ label: String, name: String, value: String = "", rows: Int = 4,
                                required: Bool = false) -> HTML {
        let req: HTML = required ? " required" : ""
        return """
        <p><label for="f-\(name)">\(label)</label><br><textarea id="f-\(name)" name="\(name)" rows="\(rows)"\(req)>\(value)</textarea></p>
        """
    }

    /// A labelled `select`; `options` are (value, visible text) pairs.
    public static func select(_ label: String, name: String, options: [(value: String, text: String)],
                              selected: String? = nil, id: String? = nil) -> HTML {
        let id = id ?? "f-\(name)"
        let opts = options.map { o -> HTML in
            let sel: HTML = o.value == selected ? " selected" : ""
            return "<option value=\"\(o.value)\"\(sel)>\(o.text)</option>"
        }
        return "<p><label for=\"\(id)\">\(label)</label> <select id=\"\(id)\" name=\"\(name)\">\(opts)</select></p>"
    }

    public static func hidden(_ name: String, _ value: String) -> HTML {
        "<input type=\"hidden\" name=\"\(name)\" value=\"\(value)\">"
    }

    public static func button(_ text: String, name: String? = nil, value: String? = nil) -> HTML {
        let nameAttr: HTML = name.map { " name=\"\($0)\"" } ?? .empty
        let valueAttr: HTML = value.map { " value=\"\($0)\"" } ?? .empty
        return "<button type=\"submit\"\(nameAttr)\(valueAttr)>\(text)</button>"
    }

    /// A form whose only content is one submit button (add to cart, cancel order, ...).
    public static func actionButton(_ text: String, action: String, fields: [(String, String)] = []) -> HTML {
        let hidden = fields.map { Markup.hidden($0.0, $0.1) }
        return "<form method=\"post\" action=\"\(action)\" class=\"inline\">\(hidden)\(button(text))</form>"
    }

    /// A table with a caption and column headers; cells are already HTML.
    public static func table(caption: String, headers: [String], rows: [[HTML]]) -> HTML {
        let head = headers.map { h -> HTML in "<th scope=\"col\">\(h)</th>" }
        let body = rows.map { cells -> HTML in
            "<tr>\(cells.map { c -> HTML in "<td>\(c)</td>" })</tr>"
        }
        return "<table><caption>\(caption)</caption><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table>"
    }

    /// "Page 2 of 9" navigation keeping the other query parameters.
    public static func pager(path: String, query: [(String, String)], page: Int, pageCount: Int) -> HTML {
        guard pageCount > 1 else { return .empty }
        func href(_ p: Int) -> String {
            FormData.encode(path: path, query: query.filter { $0.0 != "page" } + [("page", String(p))])
        }
        var parts: [HTML] = []
        if page > 1 { parts.append("<a href=\"\(href(page - 1))\" rel=\"prev\">Previous page</a>") }
        parts.append("<span>Page \(page) of \(pageCount)</span>")
        if page < pageCount { parts.append("<a href=\"\(href(page + 1))\" rel=\"next\">Next page</a>") }
        return "<nav aria-label=\"Pagination\" class=\"pager\">\(parts.map { $0 + " " })</nav>"
    }

    public static let defaultStyle = """
    body{font-family:sans-serif;margin:0;color:#222}header{background:#1f3b57;color:#fff;padding:.5em 1em}
    header a{color:#fff}header nav a{margin-right:1em}.site-title{font-size:1.4em;margin:.2em 0}
    main{padding:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left}
    .flash{background:#e6f4ea;border:1px solid #9c9;padding:.5em 1em;margin:1em}.error{color:#a00}
    form.inline{display:inline}.grid{display:flex;flex-wrap:wrap;gap:1em;list-style:none;padding:0}
    .grid li{border:1px solid #ddd;padding:.5em;width:14em}footer{padding:1em;color:#666;font-size:.9em}
    """
}
