import Foundation
import GRDB

/// Fills the store database with a deterministic, realistic catalogue, customers, orders and reviews.
enum StoreSeeder {
    static let productsPerSubcategory = 16
    static let customerCount = 100
    static let orderCount = 640
    static let customerPassword = "Password.123"
    static let adminUsername = "admin"
    static let adminPassword = "admin1234"

    static func populate(_ db: Database, seed: UInt64) throws {
        try StoreSchema.create(db)
        try seedCatalogue(db, seed: seed)
        try seedCustomers(db, seed: seed)
        try seedOrders(db, seed: seed)
        try seedReviews(db, seed: seed)
        try seedWishlistsAndCarts(db, seed: seed)
        try db.execute(sql: "INSERT INTO admin_user (username, password, full_name) VALUES (?, ?, ?)",
                       arguments: [adminUsername, adminPassword, "Store Administrator"])
    }

    // MARK: - Catalogue

    private static func seedCatalogue(_ db: Database, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed, stream: "catalogue")
        var names = Set<String>()
        var productID = 0
        for (d, dept) in StoreVocabulary.departments.enumerated() {
            let deptID = (d + 1) * 100
            try db.execute(sql: "INSERT INTO category (id, name, slug, parent_id) VALUES (?, ?, ?, NULL)",
                           arguments: [deptID, dept.name, slug(dept.name)])
            let prefix = String(dept.name.split(separator: " ").filter { $0.first!.isLetter }.prefix(2).map { $0.first! }).uppercased()
            for (s, sub) in dept.subcategories.enumerated() {
                let subID = deptID + s + 1
                try db.execute(sql: "INSERT INTO category (id, name, slug, parent_id) VALUES (?, ?, ?, ?)",
                               arguments: [subID, sub.0, slug(sub.0), deptID])
                for _ in 0..<productsPerSubcategory {
                    var name = ""
                    repeat {
                        let type = g.pick(sub.1)
                        name = g.chance(0.5)
                            ? "\(g.pick(dept.brands)) \(g.pick(dept.adjectives)) \(g.pick(dept.materials)) \(type)"
                            : "\(g.pick(dept.brands)) \(g.pick(dept.materials)) \(type)"
                    } while names.contains(name)
                    names.insert(name)
                    productID += 1
                    let dollars = g.int(dept.priceRange)
                    let cents = dollars * 100 + g.pick([99, 49, 0, 95, 99, 99])
                    let colors = dept.colors.isEmpty ? [] : g.sample(dept.colors, count: g.int(2...min(4, dept.colors.count)))
                    let sizes = dept.sizes.isEmpty ? [] : dept.sizes
                    let stock = g.chance(0.08) ? 0 : g.int(1...250)
                    let status = g.chance(0.04) ? "disabled" : "enabled"
                    let features = g.sample(dept.features, count: 3)
                    let type = sub.1.first(where: name.hasSuffix)!.lowercased()
                    let description = "The \(name) is a \(g.pick(["well-made", "thoughtfully designed", "popular", "reliable"])) "
                        + "\(type) from \(brandOf(name, dept.brands)). Highlights: \(features[0]); \(features[1]); \(features[2])."
                    try db.execute(sql: """
                        INSERT INTO product (id, sku, name, category_id, brand, price_cents, stock, status, colors, sizes,
                                             description, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                        """, arguments: [productID, "\(prefix)-\(1000 + productID)", name, subID,
                                         brandOf(name, dept.brands), cents, stock, status,
                                         colors.joined(separator: ","), sizes.joined(separator: ","),
                                         description, date(dayOffset: g.int(0...364) - 365, minute: g.int(0...1439))])
                }
            }
        }
    }

    private static func brandOf(_ name: String, _ brands: [String]) -> String {
        brands.first { name.hasPrefix($0 + " ") } ?? String(name.split(separator: " ").first!)
    }

    // MARK: - Customers

    private static func seedCustomers(_ db: Database, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed, stream: "customers")
        var emails = Set<String>()
        for id in 1...customerCount {
            var first = g.pick(StoreVocabulary.firstNames)
            var last = g.pick(StoreVocabulary.lastNames)
            if id == 1 { first = "Emma"; last = "Lopez" }
            var email = "\(first.lowercased()).\(last.lowercased())@example.com"
            var n = 2
            while emails.contains(email) {
                email = "\(first.lowercased()).\(last.lowercased())\(n)@example.com"
                n += 1
            }
            emails.insert(email)
            let city = id == 1 ? StoreVocabulary.cities[0] : g.pick(StoreVocabulary.cities)
            let street = "\(g.int(10...9899)) \(g.pick(StoreVocabulary.streets))"
            let zip = city.2 + String(format: "%02d", g.int(1...99))
            let phone = "(\(g.int(201...989))) 555-\(String(format: "%04d", g.int(100...9999)))"
            try db.execute(sql: """
                INSERT INTO customer (id, first_name, last_name, email, password, phone, street, city, state, zip, created_at)
                VALUES (?,?,?,?,?,?,?,?,?,?,?)
                """, arguments: [id, first, last, email, customerPassword, phone, street, city.0, city.1, zip,
                                 date(dayOffset: g.int(-700 ... -380), minute: g.int(0...1439))])
        }
    }

    // MARK: - Orders

    private struct DraftOrder {
        var day: Int
        var minute: Int
        var customer: Int
        var items: [(product: Int, name: String, sku: String, options: String, qty: Int, price: Int)]
    }

    private static func seedOrders(_ db: Database, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed, stream: "orders")
        let products = try Row.fetchAll(db, sql: "SELECT id, name, sku, price_cents, colors, sizes FROM product WHERE status = 'enabled'")
        var drafts: [DraftOrder] = []
        for i in 0..<orderCount {
            // Customer 1 (Emma Lopez) gets a steady history; others are spread unevenly.
            let customer = i % 40 == 0 ? 1 : (g.chance(0.3) ? g.int(2...20) : g.int(2...customerCount))
            var items: [(Int, String, String, String, Int, Int)] = []
            for row in g.sample(products, count: g.int(1...4)) {
                let colors: String = row["colors"], sizes: String = row["sizes"]
                var opts: [String] = []
                if !colors.isEmpty { opts.append("Color: \(g.pick(colors.split(separator: ",").map(String.init)))") }
                if !sizes.isEmpty { opts.append("Size: \(g.pick(sizes.split(separator: ",").map(String.init)))") }
                items.append((row["id"], row["name"], row["sku"], opts.joined(separator: ", "),
                              g.chance(0.8) ? 1 : g.int(2...3), row["price_cents"]))
            }
            drafts.append(DraftOrder(day: g.int(0...729), minute: g.int(360...1380), customer: customer,
                                     items: items.map { ($0.0, $0.1, $0.2, $0.3, $0.4, $0.5) }))
        }
        drafts.sort { ($0.day, $0.minute) < ($1.day, $1.minute) }
        let customers = try Row.fetchAll(db, sql: "SELECT * FROM customer ORDER BY id")
        for (index, draft) in drafts.enumerated() {
            let id = index + 1
            let c = customers[draft.customer - 1]
            let subtotal = draft.items.reduce(0) { $0 + $1.qty * $1.price }
            let method = subtotal >= 10000 ? StoreVocabulary.shippingMethods[2]
                : (g.chance(0.2) ? StoreVocabulary.shippingMethods[1] : StoreVocabulary.shippingMethods[0])
            // Recent orders are still open; a few older ones were canceled.
            let status: String
            if draft.day > 690 { status = g.chance(0.5) ? "pending" : "processing" }
            else if g.chance(0.07) { status = "canceled" }
            else { status = "complete" }
            let created = date(dayOffset: draft.day, minute: draft.minute)
            try db.execute(sql: """
                INSERT INTO orders (id, number, customer_id, status, created_at, subtotal_cents, shipping_cents, total_cents,
                    shipping_method, ship_name, ship_street, ship_city, ship_state, ship_zip, ship_phone)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """, arguments: [id, String(format: "%09d", id), draft.customer, status, created, subtotal,
                                 method.cents, subtotal + method.cents, method.name,
                                 "\(c["first_name"] as String) \(c["last_name"] as String)",
                                 c["street"] as String, c["city"] as String, c["state"] as String,
                                 c["zip"] as String, c["phone"] as String])
            for item in draft.items {
                try db.execute(sql: """
                    INSERT INTO order_item (order_id, product_id, name, sku, options, qty, price_cents) VALUES (?,?,?,?,?,?,?)
                    """, arguments: [id, item.product, item.name, item.sku, item.options, item.qty, item.price])
            }
            if status == "complete" || (status == "processing" && g.chance(0.5)) {
                try db.execute(sql: "INSERT INTO invoice (order_id, created_at, amount_cents) VALUES (?,?,?)",
                               arguments: [id, date(dayOffset: draft.day + 1, minute: 600), subtotal + method.cents])
            }
        }
    }

    // MARK: - Reviews

    private static func seedReviews(_ db: Database, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed, stream: "reviews")
        let products = try Row.fetchAll(db, sql: """
            SELECT p.id, p.name, c.name AS sub FROM product p JOIN category c ON c.id = p.category_id ORDER BY p.id
            """)
        let customers = try Row.fetchAll(db, sql: "SELECT id, first_name, last_name FROM customer ORDER BY id")
        for p in products {
            // Each product has its own quality, so ratings cluster the way real ones do.
            let quality = g.double(1.8...4.9)
            for _ in 0..<g.int(0...6) {
                let rating = max(1, min(5, Int((quality + g.double(-1.3...1.3)).rounded())))
                let author = g.pick(customers)
                let first: String = author["first_name"], last: String = author["last_name"]
                let nickname = g.chance(0.5) ? first : "\(first) \(last.prefix(1))."
                let name: String = p["name"]
                let shortName = name.split(separator: " ").suffix(2).joined(separator: " ").lowercased()
                var opener = g.pick(StoreVocabulary.reviewOpeners[rating]!)
                opener = opener.replacingFirst("%@", with: shortName)
                opener = opener.replacingFirst("%@", with: g.pick(StoreVocabulary.reviewUses))
                let body = ([opener] + g.sample(StoreVocabulary.reviewDetails[rating]!, count: g.int(1...2))
                            + [g.pick(StoreVocabulary.reviewClosers[rating]!)]).joined(separator: " ")
                let status = g.chance(0.04) ? "pending" : "approved"
                try db.execute(sql: """
                    INSERT INTO review (product_id, customer_id, nickname, rating, title, body, status, created_at)
                    VALUES (?,?,?,?,?,?,?,?)
                    """, arguments: [p["id"] as Int, author["id"] as Int, nickname, rating,
                                     g.pick(StoreVocabulary.reviewTitles[rating]!), body, status,
                                     date(dayOffset: g.int(0...729), minute: g.int(0...1439))])
            }
        }
    }

    private static func seedWishlistsAndCarts(_ db: Database, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed, stream: "wishlists")
        let productIDs = try Int.fetchAll(db, sql: "SELECT id FROM product WHERE status = 'enabled' ORDER BY id")
        for customer in 1...customerCount where customer == 1 || g.chance(0.4) {
            for p in g.sample(productIDs, count: customer == 1 ? 3 : g.int(1...5)) {
                try db.execute(sql: "INSERT INTO wishlist_item (customer_id, product_id, added_at) VALUES (?,?,?)",
                               arguments: [customer, p, date(dayOffset: g.int(600...729), minute: g.int(0...1439))])
            }
            if customer != 1, g.chance(0.3) {
                try db.execute(sql: "INSERT INTO cart_item (customer_id, product_id, options, qty) VALUES (?,?,'',1)",
                               arguments: [customer, g.pick(productIDs)])
            }
        }
    }

    // MARK: - Helpers

    static func slug(_ s: String) -> String {
        var out = ""
        var dash = false
        for ch in s.lowercased() {
            if ch.isLetter || ch.isNumber { out.append(ch); dash = false }
            else if !dash, !out.isEmpty { out.append("-"); dash = true }
        }
        return out.hasSuffix("-") ? String(out.dropLast()) : out
    }

    /// `YYYY-MM-DD HH:MM` for a day counted from 2022-01-01 (negative = 2021 and before).
    static func date(dayOffset: Int, minute: Int) -> String {
        let (y, m, d) = civil(days: daysFrom1970To2022 + dayOffset)
        return String(format: "%04d-%02d-%02d %02d:%02d", y, m, d, minute / 60, minute % 60)
    }

    private static let daysFrom1970To2022 = 18993

    /// Gregorian date of a day number counted from 1970-01-01 (Howard Hinnant's civil-from-days).
    static func civil(days z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}
