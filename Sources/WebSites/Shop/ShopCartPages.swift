import NNetnavSupport
import GRDB
import HTTPServer

/// Cart and checkout.
extension Shop {
    struct CartLine {
        let id: Int
        let productID: Int
        let name: String
        let options: String
        let qty: Int
        let priceCents: Int
        var totalCents: Int { qty * priceCents }
    }

    func cartLines(_ customer: Customer) async throws -> [CartLine] {
        try await db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.id, c.product_id, c.options, c.qty, p.name, p.price_cents FROM cart_item c
                JOIN product p ON p.id = c.product_id WHERE c.customer_id = ? ORDER BY c.id
                """, arguments: [customer.id]).map {
                CartLine(id: $0["id"], productID: $0["product_id"], name: $0["name"], options: $0["options"],
                         qty: $0["qty"], priceCents: $0["price_cents"])
            }
        }
    }

    func cart(_ request: Request) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/cart")
        let lines = try await cartLines(customer)
        guard !lines.isEmpty else {
            return try await page(request, title: "Shopping Cart", customer: customer,
                                  body: "<p>You have no items in your shopping cart.</p><p><a href=\"/\">Continue Shopping</a></p>")
        }
        let rows = lines.map { l -> [HTML] in
            let qtyForm: HTML = """
            <form method="post" action="/cart/update" class="inline">\(Markup.hidden("item_id", String(l.id)))\
            <label for="qty-\(l.id)">Qty for \(l.name)</label> <input type="number" id="qty-\(l.id)" name="qty" value="\(l.qty)" min="0" max="99">\
            \(Markup.button("Update"))</form>
            """
            return ["<a href=\"/product/\(l.productID)\">\(l.name)</a>", HTML(text: l.options),
                    HTML(text: StoreFormat.money(l.priceCents)), qtyForm, HTML(text: StoreFormat.money(l.totalCents)),
                    Markup.actionButton("Remove \(l.name)", action: "/cart/remove", fields: [("item_id", String(l.id))])]
        }
        let subtotal = lines.reduce(0) { $0 + $1.totalCents }
        return try await page(request, title: "Shopping Cart", customer: customer, body: """
            \(Markup.table(caption: "Items in your cart", headers: ["Item", "Options", "Price", "Qty", "Subtotal", "Action"], rows: rows))
            <section aria-label="Summary"><h2>Summary</h2><p>Subtotal: \(StoreFormat.money(subtotal))</p>
            <p><a href="/checkout">Proceed to Checkout</a></p></section>
            """)
    }

    func addToCart(_ request: Request, form: FormData) async throws -> Response {
        guard let productID = form.int("product_id") else {
            return redirect(request, to: "/", flash: "Choose a product to add to your cart.")
        }
        let customer = try await requireCustomer(request, returnTo: "/product/\(productID)")
        let qty = form["qty"] == nil ? 1 : form.int("qty") ?? 0
        guard (1...99).contains(qty) else {
            return redirect(request, to: "/product/\(productID)", flash: "Please enter a quantity between 1 and 99.")
        }
        guard let product = try db.read({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM product WHERE id = ? AND status = 'enabled'", arguments: [productID])
        }) else { return redirect(request, to: "/", flash: "That product is not available.") }
        let colors = (product["colors"] as String).split(separator: ",").map(String.init)
        let sizes = (product["sizes"] as String).split(separator: ",").map(String.init)
        var options: [String] = []
        if !colors.isEmpty {
            guard let c = form["color"], colors.contains(c) else {
                return redirect(request, to: "/product/\(productID)", flash: "Please choose a color.")
            }
            options.append("Color: \(c)")
        }
        if !sizes.isEmpty {
            guard let s = form["size"], sizes.contains(s) else {
                return redirect(request, to: "/product/\(productID)", flash: "Please choose a size.")
            }
            options.append("Size: \(s)")
        }
        guard (product["stock"] as Int) >= qty else {
            return redirect(request, to: "/product/\(productID)", flash: "The requested quantity is not available.")
        }
        let optionText = options.joined(separator: ", ")
        try await db.write { db in
            if let existing = try Int.fetchOne(db, sql: "SELECT id FROM cart_item WHERE customer_id = ? AND product_id = ? AND options = ?",
                                               arguments: [customer.id, productID, optionText]) {
                try db.execute(sql: "UPDATE cart_item SET qty = MIN(99, qty + ?) WHERE id = ?", arguments: [qty, existing])
            } else {
                try db.execute(sql: "INSERT INTO cart_item (customer_id, product_id, options, qty) VALUES (?,?,?,?)",
                               arguments: [customer.id, productID, optionText, qty])
            }
        }
        return redirect(request, to: "/cart", flash: "You added \(product["name"] as String) to your shopping cart.")
    }

    func updateCart(_ request: Request, form: FormData) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/cart")
        guard let item = form.int("item_id"), let qty = form.int("qty"), (0...99).contains(qty) else {
            return redirect(request, to: "/cart", flash: "Please enter a quantity between 0 and 99.")
        }
        try await db.write { db in
            if qty == 0 {
                try db.execute(sql: "DELETE FROM cart_item WHERE id = ? AND customer_id = ?", arguments: [item, customer.id])
            } else {
                try db.execute(sql: "UPDATE cart_item SET qty = ? WHERE id = ? AND customer_id = ?", arguments: [qty, item, customer.id])
            }
        }
        return redirect(request, to: "/cart", flash: "Your shopping cart was updated.")
    }

    func removeFromCart(_ request: Request, form: FormData) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/cart")
        if let item = form.int("item_id") {
            try await db.write { db in
                try db.execute(sql: "DELETE FROM cart_item WHERE id = ? AND customer_id = ?", arguments: [item, customer.id])
            }
        }
        return redirect(request, to: "/cart", flash: "The item was removed from your shopping cart.")
    }

    func checkout(_ request: Request) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/checkout")
        let lines = try await cartLines(customer)
        guard !lines.isEmpty else { return redirect(request, to: "/cart", flash: "Your cart is empty.") }
        let c = try db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM customer WHERE id = ?", arguments: [customer.id])! }
        let subtotal = lines.reduce(0) { $0 + $1.totalCents }
        let methods = StoreVocabulary.shippingMethods.filter { $0.cents > 0 || subtotal >= 10000 }
        let rows = lines.map { l -> [HTML] in
            [HTML(text: l.name), HTML(text: l.options), "\(l.qty)",
             HTML(text: StoreFormat.money(l.totalCents))]
        }
        return try await page(request, title: "Checkout", customer: customer, body: """
            \(Markup.table(caption: "Order summary", headers: ["Item", "Options", "Qty", "Subtotal"], rows: rows))
            <p>Cart subtotal: \(StoreFormat.money(subtotal))</p>
            <form method="post" action="/checkout" aria-label="Shipping address">
            <fieldset><legend>Shipping Address</legend>
            \(Markup.field("Full name", name: "ship_name", value: "\(c["first_name"] as String) \(c["last_name"] as String)", required: true))
            \(Markup.field("Street address", name: "ship_street", value: c["street"], required: true))
            \(Markup.field("City", name: "ship_city", value: c["city"], required: true))
            \(Markup.field("State", name: "ship_state", value: c["state"], required: true))
            \(Markup.field("Zip code", name: "ship_zip", value: c["zip"], required: true))
            \(Markup.field("Phone number", name: "ship_phone", value: c["phone"], required: true))
            </fieldset>
            \(Markup.select("Shipping method", name: "shipping_method",
                            options: methods.map { ($0.name, "\($0.name) (\(StoreFormat.money($0.cents)))") }, selected: methods[0].name))
            \(Markup.button("Place Order"))</form>
            """)
    }

    func placeOrder(_ request: Request, form: FormData) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/checkout")
        let fields = ["ship_name", "ship_street", "ship_city", "ship_state", "ship_zip", "ship_phone"]
        let missing = fields.filter { form[$0] == nil }
        guard missing.isEmpty else {
            return redirect(request, to: "/checkout", flash: "Please fill in every field of the shipping address.")
        }
        let lines = try await cartLines(customer)
        guard !lines.isEmpty else { return redirect(request, to: "/cart", flash: "Your cart is empty.") }
        let subtotal = lines.reduce(0) { $0 + $1.totalCents }
        guard let method = StoreVocabulary.shippingMethods.first(where: { $0.name == form["shipping_method"] }),
              method.cents > 0 || subtotal >= 10000 else {
            return redirect(request, to: "/checkout", flash: "Please choose an available shipping method.")
        }
        let number: String? = try await db.write { db in
            for l in lines {
                let stock = try Int.fetchOne(db, sql: "SELECT stock FROM product WHERE id = ?", arguments: [l.productID]) ?? 0
                if stock < l.qty { return nil }
            }
            let id = (try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM orders")) ?? 1
            let number = String(format: "%09d", id)
            try db.execute(sql: """
                INSERT INTO orders (id, number, customer_id, status, created_at, subtotal_cents, shipping_cents, total_cents,
                    shipping_method, ship_name, ship_street, ship_city, ship_state, ship_zip, ship_phone)
                VALUES (?,?,?,'pending',?,?,?,?,?,?,?,?,?,?,?)
                """, arguments: [id, number, customer.id, StoreFormat.now(), subtotal, method.cents, subtotal + method.cents,
                                 method.name, form["ship_name"], form["ship_street"], form["ship_city"], form["ship_state"],
                                 form["ship_zip"], form["ship_phone"]])
            for l in lines {
                let sku = try String.fetchOne(db, sql: "SELECT sku FROM product WHERE id = ?", arguments: [l.productID]) ?? ""
                try db.execute(sql: "INSERT INTO order_item (order_id, product_id, name, sku, options, qty, price_cents) VALUES (?,?,?,?,?,?,?)",
                               arguments: [id, l.productID, l.name, sku, l.options, l.qty, l.priceCents])
                try db.execute(sql: "UPDATE product SET stock = stock - ? WHERE id = ?", arguments: [l.qty, l.productID])
            }
            try db.execute(sql: "DELETE FROM cart_item WHERE customer_id = ?", arguments: [customer.id])
            return number
        }
        guard let number else {
            return redirect(request, to: "/cart", flash: "Some items in your cart are no longer in stock in the requested quantity.")
        }
        return redirect(request, to: "/checkout/success/\(number)")
    }

    func orderPlaced(_ request: Request, number: String) async throws -> Response {
        let customer = try await requireCustomer(request, returnTo: "/account/orders")
        return try await page(request, title: "Thank you for your purchase!", customer: customer, body: """
            <p>Your order number is: <a href="/account/orders/\(number)">\(number)</a>.</p>
            <p>We'll email you an order confirmation with details and tracking info.</p>
            <p><a href="/">Continue Shopping</a></p>
            """)
    }
}
