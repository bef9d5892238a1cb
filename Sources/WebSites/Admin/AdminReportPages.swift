import NNetnavSupport
import GRDB
import HTTPServer

/// Sales by period and bestsellers.
extension Admin {
    func salesReport(_ request: Request) async throws -> Response {
        _ = try requireAdmin(request)
        let q = request.query
        let periods = ["day": 10, "month": 7, "year": 4]
        let period = periods[q["period"] ?? ""] != nil ? q["period"]! : "month"
        let from = q["from"] ?? "2022-01-01"
        let to = q["to"] ?? "2023-12-31"
        let length = periods[period]!
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT substr(o.created_at, 1, \(length)) AS period, COUNT(*) AS orders,
                       (SELECT COALESCE(SUM(i.qty),0) FROM order_item i JOIN orders o2 ON o2.id = i.order_id
                        WHERE o2.status != 'canceled' AND substr(o2.created_at, 1, \(length)) = substr(o.created_at, 1, \(length))
                          AND o2.created_at >= ? AND o2.created_at <= ?) AS items,
                       SUM(o.subtotal_cents) AS subtotal, SUM(o.shipping_cents) AS shipping, SUM(o.total_cents) AS total
                FROM orders o WHERE o.status != 'canceled' AND o.created_at >= ? AND o.created_at <= ?
                GROUP BY period ORDER BY period
                """, arguments: [from, to + " 23:59", from, to + " 23:59"])
        }
        let totalOrders = rows.reduce(0) { $0 + ($1["orders"] as Int) }
        let totalSales = rows.reduce(0) { $0 + ($1["total"] as Int) }
        return try page(request, title: "Sales Report", body: """
            <form method="get" action="/reports/sales" aria-label="Report period">
            \(Markup.select("Period", name: "period", options: [("day", "Day"), ("month", "Month"), ("year", "Year")], selected: period))
            \(Markup.field("From (YYYY-MM-DD)", name: "from", value: from))
            \(Markup.field("To (YYYY-MM-DD)", name: "to", value: to))
            \(Markup.button("Show Report"))</form>
            <p>Canceled orders are excluded.</p>
            \(Markup.table(caption: "Sales by \(period)", headers: ["Period", "Orders", "Items Ordered", "Subtotal", "Shipping", "Total Sales"],
                           rows: rows.map { r in
                [HTML(text: r["period"]), "\(r["orders"] as Int)", "\(r["items"] as Int)", HTML(text: StoreFormat.money(r["subtotal"])),
                 HTML(text: StoreFormat.money(r["shipping"])), HTML(text: StoreFormat.money(r["total"]))]
            } + [["<strong>Total</strong>", "\(totalOrders)", "", "", "", HTML(text: StoreFormat.money(totalSales))]]))
            """)
    }

    func bestsellers(_ request: Request) async throws -> Response {
        _ = try requireAdmin(request)
        let q = request.query
        let year = q["year"].flatMap { ["2022", "2023"].contains($0) ? $0 : nil }
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.product_id, i.name, i.sku, SUM(i.qty) AS qty, SUM(i.qty * i.price_cents) AS revenue
                FROM order_item i JOIN orders o ON o.id = i.order_id
                WHERE o.status != 'canceled' \(year.map { "AND o.created_at LIKE '\($0)-%'" } ?? "")
                GROUP BY i.product_id ORDER BY qty DESC, revenue DESC, i.product_id LIMIT 20
                """)
        }
        return try page(request, title: "Bestsellers", body: """
            <form method="get" action="/reports/bestsellers" aria-label="Bestsellers year">
            \(Markup.select("Year", name: "year", options: [("", "All time"), ("2022", "2022"), ("2023", "2023")], selected: year ?? ""))
            \(Markup.button("Show Report"))</form>
            \(Markup.table(caption: "Bestsellers \(year ?? "of all time")", headers: ["Rank", "Product", "SKU", "Quantity Sold", "Revenue"],
                           rows: rows.enumerated().map { (n, r) in
                ["\(n + 1)", "<a href=\"/products/\(r["product_id"] as Int)\">\(r["name"] as String)</a>", HTML(text: r["sku"]),
                 "\(r["qty"] as Int)", HTML(text: StoreFormat.money(r["revenue"]))]
            }))
            """)
    }
}
