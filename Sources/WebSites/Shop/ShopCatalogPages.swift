import NNetnavSupport
import GRDB
import HTTPServer

/// Home, category listings, search and product pages.
extension Shop {
    static let pageSize = 12

    static let sortOptions: [(value: String, text: String, sql: String)] = [
        ("relevance", "Relevance", "p.id"),
        ("name", "Product Name", "p.name COLLATE NOCASE"),
        ("price_asc", "Price: Low to High", "p.price_cents, p.id"),
        ("price_desc", "Price: High to Low", "p.price_cents DESC, p.id"),
        ("rating", "Top Rated", "rating IS NULL, rating DESC, review_count DESC, p.id"),
        ("newest", "Newest", "p.created_at DESC, p.id"),
    ]

    func home(_ request: Request) async throws -> Response {
        let customer = try await currentCustomer(request)
        let (departments, topRated, newest) = try db.read { db in
            (try Row.fetchAll(db, sql: """
                SELECT d.name, d.slug, COUNT(p.id) AS n FROM category d JOIN category s ON s.parent_id = d.id
                JOIN product p ON p.category_id = s.id AND p.status = 'enabled' WHERE d.parent_id IS NULL
                GROUP BY d.id ORDER BY d.name
                """),
             try Row.fetchAll(db, sql: """
                 SELECT * FROM (\(ProductSummary.select)) p WHERE p.status = 'enabled' AND review_count >= 3
                 ORDER BY rating DESC, review_count DESC, p.id LIMIT 8
                 """).map(ProductSummary.init),
             try Row.fetchAll(db, sql: ProductSummary.select + " WHERE p.status = 'enabled' ORDER BY p.created_at DESC, p.id LIMIT 4")
                .map(ProductSummary.init))
        }
        let deptList = departments.map { row -> HTML in
            "<li><a href=\"/category/\(row["slug"] as String)\">\(row["name"] as String)</a> (\(row["n"] as Int) products)</li>"
        }
        return try await page(request, title: "Welcome to One Stop Market", customer: customer, body: """
            <section aria-labelledby="dept-h"><h2 id="dept-h">Shop by Department</h2><ul>\(deptList)</ul></section>
            <section aria-labelledby="top-h"><h2 id="top-h">Top Rated Products</h2><ul class="grid">\(topRated.map(\.card))</ul></section>
            <section aria-labelledby="new-h"><h2 id="new-h">New Arrivals</h2><ul class="grid">\(newest.map(\.card))</ul></section>
            """)
    }

    func category(_ request: Request, slug: String) async throws -> Response {
        let customer = try await currentCustomer(request)
        guard let cat = try db.read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM category WHERE slug = ?", arguments: [slug])
        }) else { return try await notFound(request, customer: customer, what: "The category") }
        let id: Int = cat["id"]
        let parentID: Int? = cat["parent_id"]
        let (children, parent) = try db.read { db in
            (try Row.fetchAll(db, sql: "SELECT name, slug FROM category WHERE parent_id = ? ORDER BY name", arguments: [id]),
             try parentID.flatMap { try Row.fetchOne(db, sql: "SELECT name, slug FROM category WHERE id = ?", arguments: [$0]) })
        }
        var intro: HTML = .empty
        if let parent {
            intro += "<nav aria-label=\"Breadcrumb\"><a href=\"/\">Home</a> › <a href=\"/category/\(parent["slug"] as String)\">\(parent["name"] as String)</a> › \(cat["name"] as String)</nav>"
        }
        if !children.isEmpty {
            intro += "<nav aria-label=\"Subcategories\"><h2>Subcategories</h2><ul>\(children.map { r -> HTML in "<li><a href=\"/category/\(r["slug"] as String)\">\(r["name"] as String)</a></li>" })</ul></nav>"
        }
        let categoryIDs = parentID == nil ? children.isEmpty ? [id] : try await db.read { db in
            try Int.fetchAll(db, sql: "SELECT id FROM category WHERE parent_id = ?", arguments: [id])
        } : [id]
        let listing = try await productListing(request, path: "/category/\(slug)", categoryIDs: categoryIDs, text: nil)
        return try await page(request, title: cat["name"], customer: customer, body: intro + listing)
    }

    func search(_ request: Request) async throws -> Response {
        let customer = try await currentCustomer(request)
        let q = request.query["q"] ?? ""
        let listing = try await productListing(request, path: "/search", categoryIDs: nil, text: q)
        let title = q.isEmpty ? "Search" : "Search results for: '\(q)'"
        return try await page(request, title: title, customer: customer, body: listing)
    }

    /// The filter form, the result count, the product grid and pagination.
    private func productListing(_ request: Request, path: String, categoryIDs: [Int]?, text: String?) async throws -> HTML {
        let query = request.query
        var conditions = ["p.status = 'enabled'"]
        var arguments: [any DatabaseValueConvertible] = []
        if let ids = categoryIDs {
            conditions.append("p.category_id IN (\(ids.map(String.init).joined(separator: ",")))")
        }
        for word in (text ?? "").split(whereSeparator: { $0 == " " }) {
            conditions.append("(p.name LIKE ? OR p.description LIKE ? OR p.sku LIKE ?)")
            let like = "%\(word)%"
            arguments += [like, like, like]
        }
        if let brand = query["brand"] { conditions.append("p.brand = ?"); arguments.append(brand) }
        if let color = query["color"] { conditions.append("(',' || p.colors || ',') LIKE ?"); arguments.append("%,\(color),%") }
        if let min = query["min_price"].flatMap(StoreFormat.cents) { conditions.append("p.price_cents >= ?"); arguments.append(min) }
        if let max = query["max_price"].flatMap(StoreFormat.cents) { conditions.append("p.price_cents <= ?"); arguments.append(max) }
        let sort = Self.sortOptions.first { $0.value == query["sort"] } ?? Self.sortOptions[0]
        let whereSQL = conditions.joined(separator: " AND ")
        let pageNumber = try query.pageNumber()
        let sqlArguments = StatementArguments(arguments.map { $0.databaseValue })
        let (total, items, brands, colors) = try await db.read { db in
            let base = "SELECT * FROM (\(ProductSummary.select)) p WHERE \(whereSQL)"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(base))", arguments: sqlArguments) ?? 0
            let items = try Row.fetchAll(db, sql: "\(base) ORDER BY \(sort.sql) LIMIT \(Self.pageSize) OFFSET \((pageNumber - 1) * Self.pageSize)",
                                         arguments: sqlArguments).map(ProductSummary.init)
            let scope = categoryIDs.map { "AND category_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
            let brands = try String.fetchAll(db, sql: "SELECT DISTINCT brand FROM product WHERE status = 'enabled' \(scope) ORDER BY brand")
            let colorLists = try String.fetchAll(db, sql: "SELECT DISTINCT colors FROM product WHERE colors != '' \(scope)")
            let colors = Set(colorLists.flatMap { $0.split(separator: ",").map(String.init) }).sorted()
            return (total, items, brands, colors)
        }
        let pageCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        var keep: [(String, String)] = []
        for name in ["q", "brand", "color", "min_price", "max_price", "sort"] { if let v = query[name] { keep.append((name, v)) } }
        let hiddenQ: HTML = text.map { Markup.hidden("q", $0) } ?? .empty
        let filters: HTML = """
        <form method="get" action="\(path)" aria-label="Filter and sort">\(hiddenQ)
        \(Markup.select("Brand", name: "brand", options: [("", "All brands")] + brands.map { ($0, $0) }, selected: query["brand"] ?? ""))
        \(colors.isEmpty ? HTML.empty : Markup.select("Color", name: "color", options: [("", "All colors")] + colors.map { ($0, $0) }, selected: query["color"] ?? ""))
        \(Markup.field("Minimum price", name: "min_price", value: query["min_price"] ?? ""))
        \(Markup.field("Maximum price", name: "max_price", value: query["max_price"] ?? ""))
        \(Markup.select("Sort by", name: "sort", options: Self.sortOptions.map { ($0.value, $0.text) }, selected: sort.value))
        \(Markup.button("Apply"))</form>
        """
        let first = total == 0 ? 0 : (pageNumber - 1) * Self.pageSize + 1
        let last = min(total, pageNumber * Self.pageSize)
        let count: HTML = total == 0 ? "<p>Your search returned no results.</p>"
            : "<p class=\"count\">Items \(first)-\(last) of \(total)</p>"
        return filters + count + "<ul class=\"grid\" aria-label=\"Products\">\(items.map(\.card))</ul>"
            + Markup.pager(path: path, query: keep, page: pageNumber, pageCount: pageCount)
    }

    func product(_ request: Request, id: Int) async throws -> Response {
        let customer = try await currentCustomer(request)
        guard let (p, reviews, cat) = try db.read({ db -> (Row, [Row], Row)? in
            guard let p = try Row.fetchOne(db, sql: "SELECT * FROM product WHERE id = ? AND status = 'enabled'", arguments: [id])
            else { return nil }
            let reviews = try Row.fetchAll(db, sql: "SELECT * FROM review WHERE product_id = ? AND status = 'approved' ORDER BY created_at DESC", arguments: [id])
            let cat = try Row.fetchOne(db, sql: "SELECT name, slug FROM category WHERE id = ?", arguments: [p["category_id"] as Int])!
            return (p, reviews, cat)
        }) else { return try await notFound(request, customer: customer, what: "The product") }

        let name: String = p["name"]
        let stock: Int = p["stock"]
        let colors = (p["colors"] as String).split(separator: ",").map(String.init)
        let sizes = (p["sizes"] as String).split(separator: ",").map(String.init)
        var options: HTML = .empty
        if !colors.isEmpty { options += Markup.select("Color", name: "color", options: colors.map { ($0, $0) }) }
        if !sizes.isEmpty { options += Markup.select("Size", name: "size", options: sizes.map { ($0, $0) }) }
        let buy: HTML = stock > 0 ? """
            <form method="post" action="/cart/add" aria-label="Add to cart">\(Markup.hidden("product_id", String(id)))\(options)
            \(Markup.field("Qty", name: "qty", value: "1", type: "number", extra: "min=\"1\" max=\"99\""))
            \(Markup.button("Add to Cart"))</form>
            """ : "<p><strong>Out of stock</strong></p>"
        let average = reviews.isEmpty ? nil : Double(reviews.map { $0["rating"] as Int }.reduce(0, +)) / Double(reviews.count)
        let summary: HTML = average.map { "<p>Rating: \(StoreFormat.stars($0)) based on \(reviews.count) reviews</p>" } ?? "<p>Be the first to review this product</p>"
        let reviewList = reviews.map { r -> HTML in
            """
            <article class="review"><h3>\(r["title"] as String)</h3><p>Rating: \(r["rating"] as Int) out of 5</p>
            <p>\(r["body"] as String)</p><p class="byline">Review by \(r["nickname"] as String), posted \(StoreFormat.day(r["created_at"]))</p></article>
            """
        }
        let ratingOptions = (1...5).reversed().map { (String($0), "\($0) star\($0 == 1 ? "" : "s")") }
        let reviewForm: HTML = """
        <section aria-labelledby="write-h"><h2 id="write-h">Write Your Own Review</h2>
        <p>You're reviewing: \(name)</p>
        <form method="post" action="/product/\(id)/review">
        \(Markup.select("Your Rating", name: "rating", options: ratingOptions, selected: "5"))
        \(Markup.field("Nickname", name: "nickname", value: customer?.firstName ?? "", required: true))
        \(Markup.field("Summary", name: "title", required: true))
        \(Markup.textArea("Review", name: "body", required: true))
        \(Markup.button("Submit Review"))</form></section>
        """
        let body: HTML = """
        <nav aria-label="Breadcrumb"><a href="/">Home</a> › <a href="/category/\(cat["slug"] as String)">\(cat["name"] as String)</a></nav>
        <section aria-label="Product details"><p class="price">Price: \(StoreFormat.money(p["price_cents"]))</p>
        <p>SKU: \(p["sku"] as String)</p><p>Brand: \(p["brand"] as String)</p>
        <p>Availability: \(stock > 0 ? "In stock" : "Out of stock")</p>\(summary)
        \(buy)
        \(Markup.actionButton("Add to Wish List", action: "/wishlist/add", fields: [("product_id", String(id))]))
        <h2>Details</h2><p>\(p["description"] as String)</p></section>
        <section aria-labelledby="reviews-h"><h2 id="reviews-h">Customer Reviews (\(reviews.count))</h2>\(reviewList)</section>
        \(reviewForm)
        """
        return try await page(request, title: name, customer: customer, body: body)
    }

    func submitReview(_ request: Request, id: Int, form: FormData) async throws -> Response {
        let customer = try await currentCustomer(request)
        guard let rating = form.int("rating"), (1...5).contains(rating),
              let nickname = form["nickname"], let title = form["title"], let text = form["body"] else {
            return redirect(request, to: "/product/\(id)#write-h",
                            flash: "Please choose a rating and fill in your nickname, a summary and the review.")
        }
        let exists = try await db.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM product WHERE id = ? AND status = 'enabled')", arguments: [id]) ?? false
        }
        guard exists else { return try await notFound(request, customer: customer, what: "The product") }
        try await db.write { db in
            try db.execute(sql: """
                INSERT INTO review (product_id, customer_id, nickname, rating, title, body, status, created_at)
                VALUES (?,?,?,?,?,?,'pending',?)
                """, arguments: [id, customer?.id, nickname, rating, title, text, StoreFormat.now()])
        }
        return redirect(request, to: "/product/\(id)", flash: "You submitted your review for moderation.")
    }
}
