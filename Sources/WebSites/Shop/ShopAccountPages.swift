import NNetnavSupport
import GRDB
import HTTPServer

/// Sign-in, registration and the customer's account pages.
extension Shop {
    func loginPage(_ request: Request, error: String? = nil) -> Response {
        let back = request.query["return"] ?? "/account"
        let flash = context.sessions.value("flash", for: request)
        if flash != nil { _ = context.sessions.set("flash", nil, for: request) }
        let errorHTML: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? .empty
        let body: HTML = """
        <section aria-labelledby="reg-h"><h2 id="reg-h">Registered Customers</h2>
        <p>If you have an account, sign in with your email address.</p>\(errorHTML)
        <form method="post" action="/login">\(Markup.hidden("return", back))
        \(Markup.field("Email", name: "email", type: "email", required: true))
        \(Markup.field("Password", name: "password", type: "password", required: true))
        \(Markup.button("Sign In"))</form></section>
        <section aria-labelledby="new-h"><h2 id="new-h">New Customers</h2>
        <p>Creating an account has many benefits: check out faster, keep more than one address, track orders and more.</p>
        <p><a href="/register">Create an Account</a></p></section>
        """
        return .html(Markup.page(title: "Customer Login", siteTitle: ShopSite.title, nav: "<nav aria-label=\"Account\"><a href=\"/\">Home</a></nav>",
                                 flash: flash, body: body), status: error == nil ? .ok : .unauthorized)
    }

    func login(_ request: Request, form: FormData) async throws -> Response {
        let email = form["email"]?.lowercased() ?? ""
        let password = form.pairs.first { $0.name == "password" }?.value ?? ""
        guard let id = try await db.read({ db in
            try Int.fetchOne(db, sql: "SELECT id FROM customer WHERE email = ? AND password = ?", arguments: [email, password])
        }) else {
            return loginPage(request, error: "The account sign-in was incorrect. Please check the email and password and try again.")
        }
        let cookie = context.sessions.set("customer", String(id), for: request)
        let back = form["return"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/account"
        return Response.seeOther(back).with(cookie: cookie)
    }

    func logout(_ request: Request) -> Response {
        context.sessions.destroy(for: request)
        return .seeOther("/")
    }

    func registerPage(_ request: Request, error: String? = nil, form: FormData = FormData()) -> Response {
        let errorHTML: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? .empty
        let body: HTML = """
        \(errorHTML)<form method="post" action="/register">
        <fieldset><legend>Personal Information</legend>
        \(Markup.field("First Name", name: "first_name", value: form["first_name"] ?? "", required: true))
        \(Markup.field("Last Name", name: "last_name", value: form["last_name"] ?? "", required: true))</fieldset>
        <fieldset><legend>Sign-in Information</legend>
        \(Markup.field("Email", name: "email", value: form["email"] ?? "", type: "email", required: true))
        \(Markup.field("Password", name: "password", type: "password", required: true))
        \(Markup.field("Confirm Password", name: "password_confirmation", type: "password", required: true))</fieldset>
        \(Markup.button("Create an Account"))</form>
        """
        return .html(Markup.page(title: "Create New Customer Account", siteTitle: ShopSite.title,
                                 nav: "<nav aria-label=\"Account\"><a href=\"/\">Home</a> <a href=\"/login\">Sign In</a></nav>", body: body),
                     status: error == nil ? .ok : .badRequest)
    }

    func register(_ request: Request, form: FormData) async throws -> Response {
        guard let first = form["first_name"], let last = form["last_name"], let email = form["email"]?.lowercased(),
              email.contains("@") else {
            return registerPage(request, error: "Please fill in your name and a valid email address.", form: form)
        }
        let password = form.pairs.first { $0.name == "password" }?.value ?? ""
        guard password.count >= 8 else {
            return registerPage(request, error: "Your password needs at least 8 characters.", form: form)
        }
        guard password == form.pairs.first(where: { $0.name == "password_confirmation" })?.value else {
            return registerPage(request, error: "Please enter the same password twice.", form: form)
        }
        let id: Int? = try await db.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM customer WHERE email = ?)", arguments: [email]) == true { return nil }
            try db.execute(sql: """
                INSERT INTO customer (first_name, last_name, email, password, phone, street, city, state, zip, created_at)
                VALUES (?,?,?,?,'','','','','',?)
                """, arguments: [first, last, email, password, StoreFormat.now()])
            return Int(db.lastInsertedRowID)
        }
        guard let id else {
            return registerPage(request, error: "There is already an account with this email address.", form: form)
        }
        _ = context.sessions.set("customer", String(id), for: request)
        let cookie = context.sessions.set("flash", "Thank you for registering with One Stop Market.", for: request)
        return Response.seeOther("/account").with(cookie: cookie ?? nil)
    }

    func account(_ request: Request) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account")
        let (c, recent) = try db.read { db in
            (try Row.fetchOne(db, sql: "SELECT * FROM customer WHERE id = ?", arguments: [customer.id])!,
             try Row.fetchAll(db, sql: "SELECT * FROM orders WHERE customer_id = ? ORDER BY id DESC LIMIT 5", arguments: [customer.id]))
        }
        let address: HTML = (c["street"] as String).isEmpty ? "<p>You have not set a default shipping address.</p>" : """
            <address>\(c["first_name"] as String) \(c["last_name"] as String)<br>\(c["street"] as String)<br>\
            \(c["city"] as String), \(c["state"] as String) \(c["zip"] as String)<br>T: \(c["phone"] as String)</address>
            """
        return try await page(request, title: "My Account", customer: customer, body: """
            \(accountMenu)
            <section aria-labelledby="info-h"><h2 id="info-h">Contact Information</h2><p>\(customer.fullName)<br>\(customer.email)</p></section>
            <section aria-labelledby="addr-h"><h2 id="addr-h">Default Shipping Address</h2>\(address)
            <p><a href="/account/address">Edit Address</a></p></section>
            <section aria-labelledby="recent-h"><h2 id="recent-h">Recent Orders</h2>\(ordersTable(recent, caption: "Recent orders"))
            <p><a href="/account/orders">View All</a></p></section>
            """)
    }

    var accountMenu: HTML {
        """
        <nav aria-label="My account"><ul><li><a href="/account">Account Dashboard</a></li><li><a href="/account/orders">My Orders</a></li>
        <li><a href="/account/wishlist">My Wish List</a></li><li><a href="/account/address">Address Book</a></li>
        <li><a href="/account/reviews">My Product Reviews</a></li></ul></nav>
        """
    }

    func ordersTable(_ rows: [Row], caption: String) -> HTML {
        guard !rows.isEmpty else { return "<p>You have placed no orders.</p>" }
        return Markup.table(caption: caption, headers: ["Order #", "Date", "Ship To", "Order Total", "Status", "Action"], rows: rows.map { o in
            let number: String = o["number"]
            return [HTML(text: number), HTML(text: StoreFormat.day(o["created_at"])), HTML(text: o["ship_name"]),
                    HTML(text: StoreFormat.money(o["total_cents"])), HTML(text: (o["status"] as String).capitalized),
                    "<a href=\"/account/orders/\(number)\" aria-label=\"View order \(number)\">View Order</a>"]
        })
    }

    func orders(_ request: Request) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/orders")
        let pageNumber = try request.query.pageNumber()
        let perPage = 10
        let (total, rows) = try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders WHERE customer_id = ?", arguments: [customer.id]) ?? 0,
             try Row.fetchAll(db, sql: "SELECT * FROM orders WHERE customer_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
                              arguments: [customer.id, perPage, (pageNumber - 1) * perPage]))
        }
        let pages = max(1, (total + perPage - 1) / perPage)
        return try await page(request, title: "My Orders", customer: customer, body: """
            \(accountMenu)<p>\(total) orders in total</p>\(ordersTable(rows, caption: "Orders"))
            \(Markup.pager(path: "/account/orders", query: [], page: pageNumber, pageCount: pages))
            """)
    }

    func order(_ request: Request, number: String) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/orders/\(number)")
        guard let (o, items) = try db.read({ db -> (Row, [Row])? in
            guard let o = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE number = ? AND customer_id = ?", arguments: [number, customer.id])
            else { return nil }
            return (o, try Row.fetchAll(db, sql: "SELECT * FROM order_item WHERE order_id = ? ORDER BY id", arguments: [o["id"] as Int]))
        }) else { return try await notFound(request, customer: customer, what: "Order \(number)") }
        let rows = items.map { i -> [HTML] in
            [HTML(text: i["name"]), HTML(text: i["sku"]), HTML(text: i["options"]), HTML(text: StoreFormat.money(i["price_cents"])),
             "\(i["qty"] as Int)", HTML(text: StoreFormat.money((i["qty"] as Int) * (i["price_cents"] as Int)))]
        }
        return try await page(request, title: "Order # \(number)", customer: customer, body: """
            \(accountMenu)<p>Status: <strong>\((o["status"] as String).capitalized)</strong></p>
            <p>Order Date: \(StoreFormat.day(o["created_at"]))</p>
            \(Markup.table(caption: "Items Ordered", headers: ["Product Name", "SKU", "Options", "Price", "Qty", "Subtotal"], rows: rows))
            <dl><dt>Subtotal</dt><dd>\(StoreFormat.money(o["subtotal_cents"]))</dd>
            <dt>Shipping &amp; Handling</dt><dd>\(StoreFormat.money(o["shipping_cents"]))</dd>
            <dt>Grand Total</dt><dd>\(StoreFormat.money(o["total_cents"]))</dd></dl>
            <section aria-labelledby="ship-h"><h2 id="ship-h">Shipping Address</h2>
            <address>\(o["ship_name"] as String)<br>\(o["ship_street"] as String)<br>\(o["ship_city"] as String), \
            \(o["ship_state"] as String) \(o["ship_zip"] as String)<br>T: \(o["ship_phone"] as String)</address>
            <p>Shipping Method: \(o["shipping_method"] as String)</p></section>
            """)
    }

    func addressPage(_ request: Request) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/address")
        let c = try db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM customer WHERE id = ?", arguments: [customer.id])! }
        return try await page(request, title: "Edit Address", customer: customer, body: """
            \(accountMenu)<form method="post" action="/account/address">
            \(Markup.field("Phone Number", name: "phone", value: c["phone"], required: true))
            \(Markup.field("Street Address", name: "street", value: c["street"], required: true))
            \(Markup.field("City", name: "city", value: c["city"], required: true))
            \(Markup.field("State", name: "state", value: c["state"], required: true))
            \(Markup.field("Zip/Postal Code", name: "zip", value: c["zip"], required: true))
            \(Markup.button("Save Address"))</form>
            """)
    }

    func saveAddress(_ request: Request, form: FormData) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/address")
        guard let phone = form["phone"], let street = form["street"], let city = form["city"],
              let state = form["state"], let zip = form["zip"] else {
            return redirect(request, to: "/account/address", flash: "Please fill in every field of the address.")
        }
        try await db.write { db in
            try db.execute(sql: "UPDATE customer SET phone = ?, street = ?, city = ?, state = ?, zip = ? WHERE id = ?",
                           arguments: [phone, street, city, state, zip, customer.id])
        }
        return redirect(request, to: "/account", flash: "You saved the address.")
    }

    func wishlist(_ request: Request) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/wishlist")
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.name, p.price_cents, w.added_at FROM wishlist_item w JOIN product p ON p.id = w.product_id
                WHERE w.customer_id = ? ORDER BY w.added_at DESC
                """, arguments: [customer.id])
        }
        let table: HTML = rows.isEmpty ? "<p>You have no items in your wish list.</p>" : Markup.table(
            caption: "Wish list", headers: ["Product", "Price", "Added", "Action"], rows: rows.map { r in
                let id: Int = r["id"], name: String = r["name"]
                return ["<a href=\"/product/\(id)\">\(name)</a>", HTML(text: StoreFormat.money(r["price_cents"])),
                        HTML(text: StoreFormat.day(r["added_at"])),
                        Markup.actionButton("Remove \(name) from wish list", action: "/wishlist/remove", fields: [("product_id", String(id))])]
            })
        return try await page(request, title: "My Wish List", customer: customer, body: accountMenu + table)
    }

    func addToWishlist(_ request: Request, form: FormData) async throws -> Response {
        guard let productID = form.int("product_id") else { return redirect(request, to: "/account/wishlist") }
        let customer = try await requireCustomer(request, returnTo: "/product/\(productID)")
        let name = try await db.write { db -> String? in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM product WHERE id = ? AND status = 'enabled'", arguments: [productID])
            else { return nil }
            try db.execute(sql: "INSERT OR IGNORE INTO wishlist_item (customer_id, product_id, added_at) VALUES (?,?,?)",
                           arguments: [customer.id, productID, StoreFormat.now()])
            return name
        }
        guard let name else { return redirect(request, to: "/", flash: "That product is not available.") }
        return redirect(request, to: "/account/wishlist", flash: "\(name) has been added to your Wish List.")
    }

    func removeFromWishlist(_ request: Request, form: FormData) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/wishlist")
        if let productID = form.int("product_id") {
            try await db.write { db in
                try db.execute(sql: "DELETE FROM wishlist_item WHERE customer_id = ? AND product_id = ?", arguments: [customer.id, productID])
            }
        }
        return redirect(request, to: "/account/wishlist", flash: "The item was removed from your wish list.")
    }

    func myReviews(_ request: Request) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/reviews")
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, p.name FROM review r JOIN product p ON p.id = r.product_id WHERE r.customer_id = ?
                ORDER BY r.created_at DESC
                """, arguments: [customer.id])
        }
        let table: HTML = rows.isEmpty ? "<p>You have submitted no reviews.</p>" : Markup.table(
            caption: "My product reviews", headers: ["Created", "Product Name", "Rating", "Review", "Status"], rows: rows.map { r in
                [HTML(text: StoreFormat.day(r["created_at"])), "<a href=\"/product/\(r["product_id"] as Int)\">\(r["name"] as String)</a>",
                 "\(r["rating"] as Int) out of 5", HTML(text: r["title"]), HTML(text: (r["status"] as String).capitalized)]
            })
        return try await page(request, title: "My Product Reviews", customer: customer, body: accountMenu + table)
    }
}
