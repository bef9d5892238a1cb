import NNetnavSupport
import GRDB
import HTTPServer

/// The back office of the One Stop Market store (WebArena's Magento admin), over the shop's database.
public enum AdminSite {
    public static let title = "One Stop Market Admin"

    public static let definition = SiteDefinition(
        name: .admin, database: "store", schemaVersion: StoreSchema.version, title: AdminSite.title,
        populate: { db, seed in try StoreSeeder.populate(db, seed: seed) },
        makeRouter: { context in Admin(context).router() })
}

/// The back office's handlers for one running instance.
struct Admin: Sendable {
    let context: SiteContext
    var db: DatabaseQueue { context.database }

    init(_ context: SiteContext) { self.context = context }

    func router() -> Router<SiteRequestContext> {
        let router = Router(context: SiteRequestContext.self)
        router.get("/login") { r, _ in loginPage(r) }
        router.post("/login") { r, _ in try await login(r, form: r.form()) }
        router.post("/logout") { r, _ -> Response in context.sessions.destroy(for: r); return .seeOther("/login") }
        router.get("/") { r, _ in try await dashboard(r) }
        router.get("/orders") { r, _ in try await orders(r) }
        router.get("/orders/:id") { r, c in try await order(r, id: c.parameters.get("id", as: Int.self) ?? 0) }
        router.post("/orders/:id/cancel") { r, c in try await cancelOrder(r, id: c.parameters.get("id", as: Int.self) ?? 0) }
        router.post("/orders/:id/invoice") { r, c in try await invoiceOrder(r, id: c.parameters.get("id", as: Int.self) ?? 0) }
        router.post("/orders/:id/ship") { r, c in try await shipOrder(r, id: c.parameters.get("id", as: Int.self) ?? 0) }
        router.get("/products") { r, _ in try await products(r) }
        router.get("/products/:id") { r, c in try await editProduct(r, id: c.parameters.get("id", as: Int.self) ?? 0) }
        router.post("/products/:id") { r, c in
            return try await saveProduct(r, id: c.parameters.get("id", as: Int.self) ?? 0, form: r.form())
        }
        router.get("/customers") { r, _ in try await customers(r) }
        router.get("/customers/:id") { r, c in try await customer(r, id: c.parameters.get("id", as: Int.self) ?? 0) }
        router.get("/reviews") { r, _ in try await reviews(r) }
        router.post("/reviews/:id/approve") { r, c in try await moderate(r, id: c.parameters.get("id", as: Int.self) ?? 0, status: "approved") }
        router.post("/reviews/:id/reject") { r, c in try await moderate(r, id: c.parameters.get("id", as: Int.self) ?? 0, status: "rejected") }
        router.get("/reports/sales") { r, _ in try await salesReport(r) }
        router.get("/reports/bestsellers") { r, _ in try await bestsellers(r) }
        return router
    }

    // MARK: - Chrome and sign-in

    /// The signed-in administrator's name, or (thrown) a redirect to the sign-in page.
    func requireAdmin(_ request: Request) throws -> String {
        if let name = context.sessions.value("admin", for: request) { return name }
        let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        throw EarlyResponse(.seeOther(FormData.encode(path: "/login", query: [("return", back)])))
    }

    func page(_ request: Request, title: String, body: HTML, status: HTTPStatus = .ok) throws -> Response {
        let admin = try requireAdmin(request)
        let flash = context.sessions.value("flash", for: request)
        if flash != nil { _ = context.sessions.set("flash", nil, for: request) }
        let storefront: HTML = context.peers[.shop].map { "<a href=\"\($0)\">View Storefront</a>" } ?? .empty
        let nav: HTML = """
        <nav aria-label="Admin menu"><a href="/">Dashboard</a> <a href="/orders">Orders</a> <a href="/products">Products</a>
        <a href="/customers">Customers</a> <a href="/reviews">Reviews</a> <a href="/reports/sales">Sales Report</a>
        <a href="/reports/bestsellers">Bestsellers</a> \(storefront)
        <span>Signed in as \(admin)</span> <form method="post" action="/logout" class="inline"><button type="submit">Sign Out</button></form></nav>
        """
        return .html(Markup.page(title: title, siteTitle: AdminSite.title, nav: nav, flash: flash, body: body), status: status)
    }

    func redirect(_ request: Request, to location: String, flash: String) -> Response {
        Response.seeOther(location).with(cookie: context.sessions.set("flash", flash, for: request))
    }

    func loginPage(_ request: Request, error: String? = nil) -> Response {
        let errorHTML: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? .empty
        return .html(Markup.page(title: "Sign in to the Admin Panel", siteTitle: AdminSite.title, nav: .empty, body: """
            \(errorHTML)<form method="post" action="/login">\(Markup.hidden("return", request.query["return"] ?? "/"))
            \(Markup.field("Username", name: "username", required: true))
            \(Markup.field("Password", name: "password", type: "password", required: true))
            \(Markup.button("Sign in"))</form>
            """), status: error == nil ? .ok : .unauthorized)
    }

    func login(_ request: Request, form: FormData) async throws -> Response {
        let username = form["username"] ?? ""
        let password = form.pairs.first { $0.name == "password" }?.value ?? ""
        guard let name = try await db.read({ db in
            try String.fetchOne(db, sql: "SELECT full_name FROM admin_user WHERE username = ? AND password = ?", arguments: [username, password])
        }) else {
            return loginPage(request, error: "The account sign-in was incorrect or your account is disabled temporarily.")
        }
        let cookie = context.sessions.set("admin", name, for: request)
        let back = form["return"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/"
        return Response.seeOther(back).with(cookie: cookie)
    }

    static let statuses = ["pending", "processing", "complete", "canceled"]

    func dashboard(_ request: Request) async throws -> Response {
        _ = try requireAdmin(request)
        let (lifetime, average, count, last, best, pendingReviews) = try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(total_cents),0) FROM orders WHERE status != 'canceled'") ?? 0,
             try Double.fetchOne(db, sql: "SELECT AVG(total_cents) FROM orders WHERE status != 'canceled'") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders") ?? 0,
             try Row.fetchAll(db, sql: """
                SELECT o.id, o.number, o.total_cents, c.first_name || ' ' || c.last_name AS customer FROM orders o
                JOIN customer c ON c.id = o.customer_id ORDER BY o.id DESC LIMIT 5
                """),
             try Row.fetchAll(db, sql: """
                SELECT i.product_id, i.name, SUM(i.qty) AS qty FROM order_item i JOIN orders o ON o.id = i.order_id
                WHERE o.status != 'canceled' GROUP BY i.product_id ORDER BY qty DESC, i.name LIMIT 5
                """),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review WHERE status = 'pending'") ?? 0)
        }
        return try page(request, title: "Dashboard", body: """
            <section aria-labelledby="stats-h"><h2 id="stats-h">Store statistics</h2><dl>
            <dt>Lifetime Sales</dt><dd>\(StoreFormat.money(lifetime))</dd>
            <dt>Average Order</dt><dd>\(StoreFormat.money(Int(average.rounded())))</dd>
            <dt>Orders</dt><dd>\(count)</dd><dt>Reviews awaiting moderation</dt><dd>\(pendingReviews)</dd></dl></section>
            \(Markup.table(caption: "Last Orders", headers: ["Order", "Customer", "Total"], rows: last.map { r in
                ["<a href=\"/orders/\(r["id"] as Int)\">\(r["number"] as String)</a>", HTML(text: r["customer"]),
                 HTML(text: StoreFormat.money(r["total_cents"]))]
            }))
            \(Markup.table(caption: "Bestsellers", headers: ["Product", "Quantity"], rows: best.map { r in
                ["<a href=\"/products/\(r["product_id"] as Int)\">\(r["name"] as String)</a>", "\(r["qty"] as Int)"]
            }))
            """)
    }
}
