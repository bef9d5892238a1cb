import NNetnavSupport
import GRDB
import HTTPServer

/// Products, customers and review moderation.
extension Admin {
    func products(_ request: Request) async throws -> Response {
        _ = try requireAdmin(request)
        let q = request.query
        var conditions: [String] = []
        var args: [DatabaseValue] = []
        if let text = q["q"] {
            conditions.append("(p.name LIKE ? OR p.sku LIKE ?)")
            args += ["%\(text)%".databaseValue, "%\(text)%".databaseValue]
        }
        if let status = q["status"], ["enabled", "disabled"].contains(status) { conditions.append("p.status = ?"); args.append(status.databaseValue) }
        if q["stock"] == "out" { conditions.append("p.stock = 0") }
        if q["stock"] == "low" { conditions.append("p.stock BETWEEN 1 AND 10") }
        let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sorts = ["id": "p.id", "name": "p.name COLLATE NOCASE, p.id", "price_desc": "p.price_cents DESC, p.id",
                     "price_asc": "p.price_cents, p.id", "stock_asc": "p.stock, p.id"]
        let sortKey = sorts[q["sort"] ?? ""] != nil ? q["sort"]! : "id"
        let perPage = 20
        let pageNumber = try q.pageNumber()
        let arguments = StatementArguments(args)
        let (total, rows) = try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product p \(whereSQL)", arguments: arguments) ?? 0,
             try Row.fetchAll(db, sql: "SELECT p.* FROM product p \(whereSQL) ORDER BY \(sorts[sortKey]!) LIMIT \(perPage) OFFSET \((pageNumber - 1) * perPage)",
                              arguments: arguments))
        }
        var keep: [(String, String)] = []
        for name in ["q", "status", "stock", "sort"] { if let v = q[name] { keep.append((name, v)) } }
        return try page(request, title: "Products", body: """
            <form method="get" action="/products" aria-label="Filter products">
            \(Markup.field("Search by product name or SKU", name: "q", value: q["q"] ?? "", id: "f-product-q"))
            \(Markup.select("Status", name: "status", options: [("", "Any status"), ("enabled", "Enabled"), ("disabled", "Disabled")], selected: q["status"] ?? ""))
            \(Markup.select("Stock", name: "stock", options: [("", "Any stock"), ("low", "Low stock (10 or fewer)"), ("out", "Out of stock")], selected: q["stock"] ?? ""))
            \(Markup.select("Sort by", name: "sort", options: [("id", "ID"), ("name", "Name"), ("price_desc", "Price: high to low"),
                                                            ("price_asc", "Price: low to high"), ("stock_asc", "Quantity: low to high")], selected: sortKey))
            \(Markup.button("Search"))</form><p>\(total) records found</p>
            \(Markup.table(caption: "Products", headers: ["ID", "Name", "SKU", "Price", "Quantity", "Status", "Action"], rows: rows.map { p in
                ["\(p["id"] as Int)", HTML(text: p["name"]), HTML(text: p["sku"]), HTML(text: StoreFormat.money(p["price_cents"])),
                 "\(p["stock"] as Int)", HTML(text: (p["status"] as String).capitalized),
                 "<a href=\"/products/\(p["id"] as Int)\" aria-label=\"Edit \(p["name"] as String)\">Edit</a>"]
            }))
            \(Markup.pager(path: "/products", query: keep, page: pageNumber, pageCount: max(1, (total + perPage - 1) / perPage)))
            """)
    }

    func editProduct(_ request: Request, id: Int) async throws -> Response {
        _ = try requireAdmin(request)
        guard let (p, sold) = try db.read({ db -> (Row, Int)? in
            guard let p = try Row.fetchOne(db, sql: "SELECT p.*, c.name AS category FROM product p JOIN category c ON c.id = p.category_id WHERE p.id = ?",
                                           arguments: [id]) else { return nil }
            let sold = try Int.fetchOne(db, sql: """
                SELECT COALESCE(SUM(i.qty),0) FROM order_item i JOIN orders o ON o.id = i.order_id
                WHERE i.product_id = ? AND o.status != 'canceled'
                """, arguments: [id]) ?? 0
            return (p, sold)
        }) else { return try page(request, title: "Product Not Found", body: "<p>This product no longer exists.</p>", status: .notFound) }
        let price = String(format: "%.2f", Double(p["price_cents"] as Int) / 100)
        return try page(request, title: p["name"], body: """
            <dl><dt>SKU</dt><dd>\(p["sku"] as String)</dd><dt>Category</dt><dd>\(p["category"] as String)</dd>
            <dt>Brand</dt><dd>\(p["brand"] as String)</dd><dt>Units sold</dt><dd>\(sold)</dd></dl>
            <form method="post" action="/products/\(id)" aria-label="Edit product">
            \(Markup.field("Price", name: "price", value: price, required: true))
            \(Markup.field("Quantity", name: "stock", value: String(p["stock"] as Int), type: "number", required: true, extra: "min=\"0\""))
            \(Markup.select("Enable Product", name: "status", options: [("enabled", "Enabled"), ("disabled", "Disabled")], selected: p["status"]))
            \(Markup.button("Save"))</form>
            """)
    }

    func saveProduct(_ request: Request, id: Int, form: FormData) async throws -> Response {
        _ = try requireAdmin(request)
        guard let cents = form["price"].flatMap(StoreFormat.cents), cents > 0 else {
            return redirect(request, to: "/products/\(id)", flash: "Please enter a price greater than zero, such as 19.99.")
        }
        // Bounded so that stock arithmetic in SQL (restocking on cancel) stays an exact integer.
        guard let stock = form.int("stock"), (0...1_000_000).contains(stock) else {
            return redirect(request, to: "/products/\(id)", flash: "Please enter a quantity from 0 to 1,000,000.")
        }
        guard let status = form["status"], ["enabled", "disabled"].contains(status) else {
            return redirect(request, to: "/products/\(id)", flash: "Please choose Enabled or Disabled.")
        }
        try await db.write { db in
            try db.execute(sql: "UPDATE product SET price_cents = ?, stock = ?, status = ? WHERE id = ?", arguments: [cents, stock, status, id])
        }
        return redirect(request, to: "/products/\(id)", flash: "You saved the product.")
    }

    func customers(_ request: Request) async throws -> Response {
        _ = try requireAdmin(request)
        let q = request.query
        let perPage = 20
        let pageNumber = try q.pageNumber()
        var whereSQL = ""
        var args: [DatabaseValue] = []
        if let text = q["q"] {
            whereSQL = "WHERE c.first_name || ' ' || c.last_name LIKE ? OR c.email LIKE ? OR c.city LIKE ? OR c.phone LIKE ?"
            args = Array(repeating: "%\(text)%".databaseValue, count: 4)
        }
        let arguments = StatementArguments(args)
        let (total, rows) = try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer c \(whereSQL)", arguments: arguments) ?? 0,
             try Row.fetchAll(db, sql: "SELECT c.* FROM customer c \(whereSQL) ORDER BY c.id LIMIT \(perPage) OFFSET \((pageNumber - 1) * perPage)",
                              arguments: arguments))
        }
        return try page(request, title: "Customers", body: """
            <form method="get" action="/customers" aria-label="Search customers">
            \(Markup.field("Search by name, email, city or phone", name: "q", value: q["q"] ?? "", id: "f-customer-q"))
            \(Markup.button("Search"))</form><p>\(total) records found</p>
            \(Markup.table(caption: "Customers", headers: ["ID", "Name", "Email", "Phone", "City", "State", "Action"], rows: rows.map { c in
                ["\(c["id"] as Int)", HTML(text: "\(c["first_name"] as String) \(c["last_name"] as String)"), HTML(text: c["email"]),
                 HTML(text: c["phone"]), HTML(text: c["city"]), HTML(text: c["state"]),
                 "<a href=\"/customers/\(c["id"] as Int)\" aria-label=\"View \(c["first_name"] as String) \(c["last_name"] as String)\">View</a>"]
            }))
            \(Markup.pager(path: "/customers", query: q["q"].map { [("q", $0)] } ?? [], page: pageNumber, pageCount: max(1, (total + perPage - 1) / perPage)))
            """)
    }

    func customer(_ request: Request, id: Int) async throws -> Response {
        _ = try requireAdmin(request)
        guard let (c, orders, spent) = try db.read({ db -> (Row, [Row], Int)? in
            guard let c = try Row.fetchOne(db, sql: "SELECT * FROM customer WHERE id = ?", arguments: [id]) else { return nil }
            return (c, try Row.fetchAll(db, sql: "SELECT * FROM orders WHERE customer_id = ? ORDER BY id DESC", arguments: [id]),
                    try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(total_cents),0) FROM orders WHERE customer_id = ? AND status != 'canceled'",
                                     arguments: [id]) ?? 0)
        }) else { return try page(request, title: "Customer Not Found", body: "<p>This customer no longer exists.</p>", status: .notFound) }
        return try page(request, title: "\(c["first_name"] as String) \(c["last_name"] as String)", body: """
            <dl><dt>Email</dt><dd>\(c["email"] as String)</dd><dt>Phone</dt><dd>\(c["phone"] as String)</dd>
            <dt>Address</dt><dd>\(c["street"] as String), \(c["city"] as String), \(c["state"] as String) \(c["zip"] as String)</dd>
            <dt>Customer Since</dt><dd>\(StoreFormat.day(c["created_at"]))</dd><dt>Number of orders</dt><dd>\(orders.count)</dd>
            <dt>Lifetime Sales</dt><dd>\(StoreFormat.money(spent))</dd></dl>
            \(Markup.table(caption: "Orders", headers: ["Order", "Purchased", "Grand Total", "Status"], rows: orders.map { o in
                ["<a href=\"/orders/\(o["id"] as Int)\">\(o["number"] as String)</a>", HTML(text: o["created_at"]),
                 HTML(text: StoreFormat.money(o["total_cents"])), HTML(text: (o["status"] as String).capitalized)]
            }))
            """)
    }

    func reviews(_ request: Request) async throws -> Response {
        _ = try requireAdmin(request)
        let q = request.query
        let status = ["pending", "approved", "rejected"].contains(q["status"] ?? "") ? q["status"]! : "pending"
        let perPage = 20
        let pageNumber = try q.pageNumber()
        let (total, rows) = try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review WHERE status = ?", arguments: [status]) ?? 0,
             try Row.fetchAll(db, sql: """
                SELECT r.*, p.name FROM review r JOIN product p ON p.id = r.product_id WHERE r.status = ?
                ORDER BY r.created_at DESC, r.id DESC LIMIT \(perPage) OFFSET \((pageNumber - 1) * perPage)
                """, arguments: [status]))
        }
        let tabs: HTML = "<nav aria-label=\"Review status\">\(["pending", "approved", "rejected"].map { s -> HTML in "<a href=\"/reviews?status=\(s)\">\(s.capitalized) reviews</a> " })</nav>"
        return try page(request, title: "\(status.capitalized) Reviews", body: """
            \(tabs)<p>\(total) records found</p>
            \(Markup.table(caption: "\(status.capitalized) reviews", headers: ["ID", "Created", "Product", "Nickname", "Rating", "Title", "Review", "Action"],
                           rows: rows.map { r in
                let rid: Int = r["id"]
                var actions: [HTML] = []
                if status != "approved" { actions.append(Markup.actionButton("Approve review \(rid)", action: "/reviews/\(rid)/approve")) }
                if status != "rejected" { actions.append(Markup.actionButton("Reject review \(rid)", action: "/reviews/\(rid)/reject")) }
                return ["\(rid)", HTML(text: StoreFormat.day(r["created_at"])), HTML(text: r["name"]), HTML(text: r["nickname"]),
                        "\(r["rating"] as Int)", HTML(text: r["title"]), HTML(text: r["body"]), actions.joined()]
            }))
            \(Markup.pager(path: "/reviews", query: [("status", status)], page: pageNumber, pageCount: max(1, (total + perPage - 1) / perPage)))
            """)
    }

    func moderate(_ request: Request, id: Int, status: String) async throws -> Response {
        _ = try requireAdmin(request)
        let previous = try await db.write { db -> String? in
            guard let old = try String.fetchOne(db, sql: "SELECT status FROM review WHERE id = ?", arguments: [id]) else { return nil }
            try db.execute(sql: "UPDATE review SET status = ? WHERE id = ?", arguments: [status, id])
            return old
        }
        guard let previous else { return redirect(request, to: "/reviews", flash: "That review no longer exists.") }
        return redirect(request, to: "/reviews?status=\(previous)", flash: "Review \(id) was \(status == "approved" ? "approved" : "rejected").")
    }
}
