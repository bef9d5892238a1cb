import NNetnavSupport
import GRDB
import HTTPServer

/// The signed-in customer, when there is one.
struct Customer: Sendable {
    let id: Int
    let firstName: String
    let lastName: String
    let email: String
    var fullName: String { "\(firstName) \(lastName)" }

    init(row: Row) {
        id = row["id"]; firstName = row["first_name"]; lastName = row["last_name"]; email = row["email"]
    }
}

extension Shop {
    func currentCustomer(_ request: Request) async throws -> Customer? {
        guard let id = context.sessions.value("customer", for: request).flatMap(Int.init) else { return nil }
        return try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM customer WHERE id = ?", arguments: [id]).map(Customer.init)
        }
    }

    /// Shows `body` in the storefront's chrome; consumes the pending flash message.
    func page(_ request: Request, title: String, customer: Customer?, body: HTML, status: HTTPStatus = .ok) async throws -> Response {
        let departments = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT name, slug FROM category WHERE parent_id IS NULL ORDER BY name")
        }
        var cartCount = 0
        if let c = customer {
            cartCount = try await db.read { db in
                try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(qty),0) FROM cart_item WHERE customer_id = ?", arguments: [c.id]) ?? 0
            }
        }
        let flash = context.sessions.value("flash", for: request)
        if flash != nil { _ = context.sessions.set("flash", nil, for: request) }
        let account: HTML = customer.map { c in
            """
            <a href="/account">My Account</a> <span>Welcome, \(c.fullName)!</span>
            <form method="post" action="/logout" class="inline"><button type="submit">Sign Out</button></form>
            """
        } ?? "<a href=\"/login\">Sign In</a> <a href=\"/register\">Create an Account</a>"
        let deptLinks = departments.map { row -> HTML in
            "<li><a href=\"/category/\(row["slug"] as String)\">\(row["name"] as String)</a></li>"
        }
        let nav: HTML = """
        <nav aria-label="Account">\(account) <a href="/cart">My Cart (\(cartCount))</a></nav>
        <form method="get" action="/search" role="search"><label for="search-q">Search entire store here</label>
        <input type="search" id="search-q" name="q"> <button type="submit">Search</button></form>
        <nav aria-label="Categories"><ul class="menu">\(deptLinks)</ul></nav>
        """
        return .html(Markup.page(title: title, siteTitle: ShopSite.title, nav: nav, flash: flash, body: body,
                                 footer: "<p>One Stop Market — prices in US dollars. Orders ship within the United States.</p>"),
                     status: status)
    }

    /// Redirect with a message shown on the next page.
    func redirect(_ request: Request, to location: String, flash: String? = nil) -> Response {
        let cookie = flash.flatMap { context.sessions.set("flash", $0, for: request) }
        return Response.seeOther(location).with(cookie: cookie)
    }

    func notFound(_ request: Request, customer: Customer?, what: String) async throws -> Response {
        try await page(request, title: "Page Not Found", customer: customer,
                       body: "<p>\(what) could not be found.</p><p><a href=\"/\">Return to the home page</a></p>",
                       status: .notFound)
    }

    /// The customer, or (thrown) a redirect to the sign-in page that comes back afterwards.
    func requireCustomer(_ request: Request, returnTo: String) async throws -> Customer {
        if let c = try await currentCustomer(request) { return c }
        throw EarlyResponse(redirect(request, to: FormData.encode(path: "/login", query: [("return", returnTo)]),
                                     flash: "Please sign in to continue."))
    }
}

/// A product as listed in grids and tables.
struct ProductSummary: Sendable {
    let id: Int
    let name: String
    let priceCents: Int
    let rating: Double?
    let reviewCount: Int
    let stock: Int

    static let select = """
        SELECT p.*,
               (SELECT AVG(rating) FROM review r WHERE r.product_id = p.id AND r.status = 'approved') AS rating,
               (SELECT COUNT(*) FROM review r WHERE r.product_id = p.id AND r.status = 'approved') AS review_count
        FROM product p
        """

    init(row: Row) {
        id = row["id"]; name = row["name"]; priceCents = row["price_cents"]; stock = row["stock"]
        rating = row["rating"]; reviewCount = row["review_count"]
    }

    var card: HTML {
        let ratingText: HTML = rating.map { "<p>Rating: \(StoreFormat.stars($0)) (\(reviewCount) reviews)</p>" } ?? "<p>No reviews yet</p>"
        return """
        <li><h3><a href="/product/\(id)">\(name)</a></h3><p class="price">\(StoreFormat.money(priceCents))</p>\(ratingText)\
        \(stock > 0 ? "" : HTML(raw: "<p>Out of stock</p>"))</li>
        """
    }
}
