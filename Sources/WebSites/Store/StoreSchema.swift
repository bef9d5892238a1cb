import GRDB

/// The database shared by the `shop` storefront and its `admin` back office.
///
/// Money is stored in integer cents so totals are exact; dates as `YYYY-MM-DD HH:MM` text so they
/// sort and group by period with plain SQL.
enum StoreSchema {
    /// Bump when the tables or the generator change (part of the pristine cache key).
    static let version = 1

    static func create(_ db: Database) throws {
        try db.execute(sql: """
        CREATE TABLE category (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL UNIQUE,
            parent_id INTEGER REFERENCES category(id));
        CREATE TABLE product (
            id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
            category_id INTEGER NOT NULL REFERENCES category(id), brand TEXT NOT NULL,
            price_cents INTEGER NOT NULL, stock INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('enabled','disabled')),
            colors TEXT NOT NULL DEFAULT '', sizes TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE INDEX product_category ON product(category_id);
        CREATE TABLE customer (
            id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
            email TEXT NOT NULL UNIQUE, password TEXT NOT NULL, phone TEXT NOT NULL,
            street TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL, zip TEXT NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,
            customer_id INTEGER NOT NULL REFERENCES customer(id),
            status TEXT NOT NULL CHECK (status IN ('pending','processing','complete','canceled')),
            created_at TEXT NOT NULL, subtotal_cents INTEGER NOT NULL, shipping_cents INTEGER NOT NULL,
            total_cents INTEGER NOT NULL, shipping_method TEXT NOT NULL,
            ship_name TEXT NOT NULL, ship_street TEXT NOT NULL, ship_city TEXT NOT NULL,
            ship_state TEXT NOT NULL, ship_zip TEXT NOT NULL, ship_phone TEXT NOT NULL);
        CREATE INDEX orders_customer ON orders(customer_id);
        CREATE TABLE order_item (
            id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
            product_id INTEGER NOT NULL REFERENCES product(id), name TEXT NOT NULL, sku TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '', qty INTEGER NOT NULL, price_cents INTEGER NOT NULL);
        CREATE INDEX order_item_order ON order_item(order_id);
        CREATE TABLE invoice (
            id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL UNIQUE REFERENCES orders(id),
            created_at TEXT NOT NULL, amount_cents INTEGER NOT NULL);
        CREATE TABLE review (
            id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES product(id),
            customer_id INTEGER REFERENCES customer(id), nickname TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5), title TEXT NOT NULL, body TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('approved','pending','rejected')), created_at TEXT NOT NULL);
        CREATE INDEX review_product ON review(product_id);
        CREATE TABLE cart_item (
            id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer(id),
            product_id INTEGER NOT NULL REFERENCES product(id), options TEXT NOT NULL DEFAULT '',
            qty INTEGER NOT NULL);
        CREATE TABLE wishlist_item (
            customer_id INTEGER NOT NULL REFERENCES customer(id),
            product_id INTEGER NOT NULL REFERENCES product(id), added_at TEXT NOT NULL,
            PRIMARY KEY (customer_id, product_id));
        CREATE TABLE admin_user (
            id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password TEXT NOT NULL,
            full_name TEXT NOT NULL);
        """)
    }
}
