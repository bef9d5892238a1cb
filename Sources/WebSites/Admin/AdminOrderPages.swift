import NNetnavSupport
import GRDB
import HTTPServer

/// The order grid, order view and the order actions (cancel, invoice, ship).
extension Admin {
    func orders(_ request: Request) async throws -> Response {
        _ = try requireAdmin(request)
        let q = request.query
        var conditions: [String] = []
        var args: [DatabaseValue] = []
        if let status = q["status"], Self.statuses.contains(status) { conditions.append("o.status = ?"); args.append(status.databaseValue) }
        if let text = q["q"] {
            conditions.append("(o.number LIKE ? OR c.first_name || ' ' || c.last_name LIKE ? OR c.email LIKE ?)")
            args += Array(repeating: "%\(text)%".databaseValue, count: 3)
        }
        if let from = q["from"] { conditions.append("o.created_at >= ?"); args.append(from.databaseValue) }
        if let to = q["to"] { conditions.append("o.created_at <= ?"); args.append((to + " 23:59").databaseValue) }
        let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sorts = ["newest": "o.id DESC", "oldest": "o.id", "total_desc": "o.total_cents DESC, o.id", "total_asc": "o.total_cents, o.id"]
        let sortKey = sorts[q["sort"] ?? ""] != nil ? q["sort"]! : "newest"
        let perPage = 20
        let pageNumber = try q.pageNumber()
        let arguments = StatementArguments(args)
        let (total, rows) = try db.read { db in
            let from = "FROM orders o JOIN customer c ON c.id = o.customer_id \(whereSQL)"
            return (try Int.fetchOne(db, sql: "SELECT COUNT(*) \(from)", arguments: arguments) ?? 0,
                    try Row.fetchAll(db, sql: """
                        SELECT o.*, c.first_name || ' ' || c.last_name AS customer \(from) ORDER BY \(sorts[sortKey]!)
                        LIMIT \(perPage) OFFSET \((pageNumber - 1) * perPage)
                        """, arguments: arguments))
        }
        let filters: HTML = """
        <form method="get" action="/orders" aria-label="Filter orders">
        \(Markup.field("Search by order number, customer name or email", name: "q", value: q["q"] ?? "", id: "f-order-q"))
        \(Markup.select("Status", name: "status", options: [("", "Any status")] + Self.statuses.map { ($0, $0.capitalized) }, selected: q["status"] ?? ""))
        \(Markup.field("Purchased from (YYYY-MM-DD)", name: "from", value: q["from"] ?? ""))
        \(Markup.field("Purchased to (YYYY-MM-DD)", name: "to", value: q["to"] ?? ""))
        \(Markup.select("Sort by", name: "sort", options: [("newest", "Newest first"), ("oldest", "Oldest first"),
                                                        ("total_desc", "Grand total: high to low"), ("total_asc", "Grand total: low to high")],
                        selected: sortKey))
        \(Markup.button("Search"))</form>
        """
        var keep: [(String, String)] = []
        for name in ["q", "status", "from", "to", "sort"] { if let v = q[name] { keep.append((name, v)) } }
        let table = Markup.table(caption: "Orders", headers: ["ID", "Purchase Date", "Bill-to Name", "Grand Total", "Status", "Action"],
                                 rows: rows.map { o in
            [HTML(text: o["number"]), HTML(text: o["created_at"]), HTML(text: o["customer"]), HTML(text: StoreFormat.money(o["total_cents"])),
             HTML(text: (o["status"] as String).capitalized),
             "<a href=\"/orders/\(o["id"] as Int)\" aria-label=\"View order \(o["number"] as String)\">View</a>"]
        })
        return try page(request, title: "Orders", body: """
            \(filters)<p>\(total) records found</p>\(table)
            \(Markup.pager(path: "/orders", query: keep, page: pageNumber, pageCount: max(1, (total + perPage - 1) / perPage)))
            """)
    }

    func order(_ request: Request, id: Int) async throws -> Response {
        _ = try requireAdmin(request)
        guard let (o, items, invoice) = try db.read({ db -> (Row, [Row], Row?)? in
            guard let o = try Row.fetchOne(db, sql: """
                SELECT o.*, c.first_name || ' ' || c.last_name AS customer, c.email, c.id AS cid FROM orders o
                JOIN customer c ON c.id = o.customer_id WHERE o.id = ?
                """, arguments: [id]) else { return nil }
            return (o, try Row.fetchAll(db, sql: "SELECT * FROM order_item WHERE order_id = ? ORDER BY id", arguments: [id]),
                    try Row.fetchOne(db, sql: "SELECT * FROM invoice WHERE order_id = ?", arguments: [id]))
        }) else { return try page(request, title: "Order Not Found", body: "<p>This order no longer exists.</p>", status: .notFound) }
        let status: String = o["status"]
        var actions: [HTML] = []
        if status == "pending" || status == "processing" {
            actions.append(Markup.actionButton("Cancel", action: "/orders/\(id)/cancel"))
        }
        if invoice == nil && status != "canceled" { actions.append(Markup.actionButton("Invoice", action: "/orders/\(id)/invoice")) }
        if status == "processing" && invoice != nil { actions.append(Markup.actionButton("Ship", action: "/orders/\(id)/ship")) }
        let invoiceHTML: HTML = invoice.map { "<p>Invoice created \(StoreFormat.day($0["created_at"])) for \(StoreFormat.money($0["amount_cents"]))</p>" }
            ?? "<p>No invoice yet.</p>"
        let rows = items.map { i -> [HTML] in
            [HTML(text: i["name"]), HTML(text: i["sku"]), HTML(text: i["options"]), HTML(text: StoreFormat.money(i["price_cents"])),
             "\(i["qty"] as Int)", HTML(text: StoreFormat.money((i["qty"] as Int) * (i["price_cents"] as Int)))]
        }
        return try page(request, title: "Order # \(o["number"] as String)", body: """
            <section aria-label="Order actions">\(actions)</section>
            <dl><dt>Order Date</dt><dd>\(o["created_at"] as String)</dd><dt>Order Status</dt><dd>\(status.capitalized)</dd>
            <dt>Customer Name</dt><dd><a href="/customers/\(o["cid"] as Int)">\(o["customer"] as String)</a></dd>
            <dt>Email</dt><dd>\(o["email"] as String)</dd></dl>
            <section aria-labelledby="addr-h"><h2 id="addr-h">Shipping Address</h2>
            <address>\(o["ship_name"] as String)<br>\(o["ship_street"] as String)<br>\(o["ship_city"] as String), \
            \(o["ship_state"] as String) \(o["ship_zip"] as String)<br>T: \(o["ship_phone"] as String)</address>
            <p>Shipping Method: \(o["shipping_method"] as String)</p></section>
            \(Markup.table(caption: "Items Ordered", headers: ["Product", "SKU", "Options", "Price", "Qty", "Row Total"], rows: rows))
            <section aria-labelledby="tot-h"><h2 id="tot-h">Order Totals</h2><dl>
            <dt>Subtotal</dt><dd>\(StoreFormat.money(o["subtotal_cents"]))</dd>
            <dt>Shipping &amp; Handling</dt><dd>\(StoreFormat.money(o["shipping_cents"]))</dd>
            <dt>Grand Total</dt><dd>\(StoreFormat.money(o["total_cents"]))</dd></dl>\(invoiceHTML)</section>
            """)
    }

    func cancelOrder(_ request: Request, id: Int) async throws -> Response {
        _ = try requireAdmin(request)
        let done = try await db.write { db -> Bool in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM orders WHERE id = ?", arguments: [id]),
                  status == "pending" || status == "processing" else { return false }
            try db.execute(sql: "UPDATE orders SET status = 'canceled' WHERE id = ?", arguments: [id])
            // Canceled goods go back on the shelf.
            try db.execute(sql: """
                UPDATE product SET stock = stock + (SELECT SUM(qty) FROM order_item i WHERE i.order_id = ? AND i.product_id = product.id)
                WHERE id IN (SELECT product_id FROM order_item WHERE order_id = ?)
                """, arguments: [id, id])
            return true
        }
        return redirect(request, to: "/orders/\(id)", flash: done ? "You canceled the order." : "This order cannot be canceled.")
    }

    func invoiceOrder(_ request: Request, id: Int) async throws -> Response {
        _ = try requireAdmin(request)
        let done = try await db.write { db -> Bool in
            guard let o = try Row.fetchOne(db, sql: "SELECT status, total_cents FROM orders WHERE id = ?", arguments: [id]),
                  (o["status"] as String) != "canceled",
                  try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM invoice WHERE order_id = ?)", arguments: [id]) == false
            else { return false }
            try db.execute(sql: "INSERT INTO invoice (order_id, created_at, amount_cents) VALUES (?,?,?)",
                           arguments: [id, StoreFormat.now(), o["total_cents"] as Int])
            try db.execute(sql: "UPDATE orders SET status = 'processing' WHERE id = ? AND status = 'pending'", arguments: [id])
            return true
        }
        return redirect(request, to: "/orders/\(id)", flash: done ? "The invoice has been created." : "This order cannot be invoiced.")
    }

    func shipOrder(_ request: Request, id: Int) async throws -> Response {
        _ = try requireAdmin(request)
        let done = try await db.write { db -> Bool in
            guard try String.fetchOne(db, sql: "SELECT status FROM orders WHERE id = ?", arguments: [id]) == "processing",
                  try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM invoice WHERE order_id = ?)", arguments: [id]) == true
            else { return false }
            try db.execute(sql: "UPDATE orders SET status = 'complete' WHERE id = ?", arguments: [id])
            return true
        }
        return redirect(request, to: "/orders/\(id)", flash: done ? "The shipment has been created." : "This order cannot be shipped.")
    }
}
