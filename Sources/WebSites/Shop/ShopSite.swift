import GRDB
import HTTPServer

/// "One Stop Market": the storefront of the bundled store (WebArena's Magento shopping site).
public enum ShopSite {
    public static let title = "One Stop Market"

    public static let definition = SiteDefinition(
        name: .shop, database: "store", schemaVersion: StoreSchema.version, title: ShopSite.title,
        populate: { db, seed in try StoreSeeder.populate(db, seed: seed) },
        makeRouter: { context in Shop(context).router() })
}

/// The storefront's handlers for one running instance.
struct Shop: Sendable {
    let context: SiteContext
    var db: DatabaseQueue { context.database }

    init(_ context: SiteContext) { self.context = context }

    func router() -> Router<SiteRequestContext> {
        let router = Router(context: SiteRequestContext.self)
        router.get("/") { r, _ in try await home(r) }
        router.get("/category/:slug") { r, c in try await category(r, slug: c.parameters.get("slug") ?? "") }
        router.get("/search") { r, _ in try await search(r) }
        router.get("/product/:id") { r, c in try await product(r, id: c.parameters.get("id", as: Int.self) ?? 0) }
        router.post("/product/:id/review") { r, c in
            return try await submitReview(r, id: c.parameters.get("id", as: Int.self) ?? 0, form: r.form())
        }
        router.get("/login") { r, _ in loginPage(r) }
        router.post("/login") { r, _ in try await login(r, form: r.form()) }
        router.post("/logout") { r, _ in logout(r) }
        router.get("/register") { r, _ in registerPage(r) }
        router.post("/register") { r, _ in try await register(r, form: r.form()) }
        router.get("/cart") { r, _ in try await cart(r) }
        router.post("/cart/add") { r, _ in try await addToCart(r, form: r.form()) }
        router.post("/cart/update") { r, _ in try await updateCart(r, form: r.form()) }
        router.post("/cart/remove") { r, _ in try await removeFromCart(r, form: r.form()) }
        router.get("/checkout") { r, _ in try await checkout(r) }
        router.post("/checkout") { r, _ in try await placeOrder(r, form: r.form()) }
        router.get("/checkout/success/:number") { r, c in try await orderPlaced(r, number: c.parameters.get("number") ?? "") }
        router.get("/account") { r, _ in try await account(r) }
        router.get("/account/orders") { r, _ in try await orders(r) }
        router.get("/account/orders/:number") { r, c in try await order(r, number: c.parameters.get("number") ?? "") }
        router.get("/account/address") { r, _ in try await addressPage(r) }
        router.post("/account/address") { r, _ in try await saveAddress(r, form: r.form()) }
        router.get("/account/wishlist") { r, _ in try await wishlist(r) }
        router.post("/wishlist/add") { r, _ in try await addToWishlist(r, form: r.form()) }
        router.post("/wishlist/remove") { r, _ in try await removeFromWishlist(r, form: r.form()) }
        router.get("/account/reviews") { r, _ in try await myReviews(r) }
        return router
    }
}
