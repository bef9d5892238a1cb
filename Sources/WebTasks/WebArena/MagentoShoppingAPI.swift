import Foundation
import HTTPTransport

/// What WebArena's shopping helpers ask the Magento store's REST API.
public protocol WebArenaShoppingAPI: Sendable {
    /// The customer-facing page of the newest order.
    func latestOrderURL() async throws -> String
    /// The newest review of a product: its author's nickname and first rating's percent; nil when it has none.
    func latestReview(sku: String) async throws -> (author: String, ratingPercent: String)?
}

public enum MagentoAPIError: Error, CustomStringConvertible, Sendable {
    case http(url: String, status: Int, body: String)
    case unreadable(url: String, detail: String)

    public var description: String {
        switch self {
        case .http(let u, let s, let b): return "Magento REST \(u) answered HTTP \(s): \(b.prefix(200))"
        case .unreadable(let u, let d): return "Magento REST \(u) answered something unreadable: \(d)"
        }
    }
}

/// The real store's REST API, signed in with an admin token (WebArena's `shopping_site_admin`).
///
/// Differences from WebArena's helpers, on purpose: the latest order's URL uses the order's
/// `entity_id` (WebArena used `increment_id`, which is a different number once orders were deleted);
/// the latest review is the one with the newest `created_at` (WebArena took the API's last item,
/// whose order the API does not promise); a product without ratings reads as no rating, not a crash.
public struct MagentoShoppingAPI: WebArenaShoppingAPI {
    public var baseURL: String
    public var username: String
    public var password: String

    public init(baseURL: String, username: String = "admin", password: String = "admin1234") {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.username = username
        self.password = password
    }

    private func send(_ request: HTTPRequest) async throws -> Any {
        let client = HTTPClient(configuration: .init(timeout: 30, keepsCookies: false))
        let response = try await client.send(request)
        guard (200..<300).contains(response.status) else {
            throw MagentoAPIError.http(url: request.url, status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
        do {
            return try JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed])
        } catch {
            throw MagentoAPIError.unreadable(url: request.url, detail: "\(error)")
        }
    }

    func token() async throws -> String {
        let url = baseURL + "/rest/default/V1/integration/admin/token"
        let body = try JSONSerialization.data(withJSONObject: ["username": username, "password": password])
        let value = try await send(HTTPRequest(method: .post, url: url, headers: [("Content-Type", "application/json")], body: body))
        guard let token = value as? String, !token.isEmpty else { throw MagentoAPIError.unreadable(url: url, detail: "no token") }
        return token
    }

    private func get(_ path: String) async throws -> Any {
        let token = try await token()
        return try await send(HTTPRequest(url: baseURL + path, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]))
    }

    public func latestOrderURL() async throws -> String {
        let path = "/rest/V1/orders?searchCriteria%5BsortOrders%5D%5B0%5D%5Bfield%5D=created_at"
            + "&searchCriteria%5BsortOrders%5D%5B0%5D%5Bdirection%5D=DESC&searchCriteria%5BpageSize%5D=1"
        let value = try await get(path)
        guard let items = (value as? [String: Any])?["items"] as? [[String: Any]], let first = items.first else {
            throw MagentoAPIError.unreadable(url: baseURL + path, detail: "no orders")
        }
        let id = (first["entity_id"] as? NSNumber)?.intValue ?? (first["increment_id"] as? String).flatMap { Int($0) }
        guard let id else { throw MagentoAPIError.unreadable(url: baseURL + path, detail: "order without an id") }
        return "\(baseURL)/sales/order/view/order_id/\(id)/"
    }

    public func latestReview(sku: String) async throws -> (author: String, ratingPercent: String)? {
        let escaped = sku.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? sku
        let value = try await get("/rest/V1/products/\(escaped)/reviews")
        guard let reviews = value as? [[String: Any]] else {
            throw MagentoAPIError.unreadable(url: baseURL + "/rest/V1/products/\(escaped)/reviews", detail: "not a list")
        }
        let indexed = reviews.enumerated().map { ($0.offset, $0.element) }
        guard let newest = indexed.max(by: { a, b in
            let ta = a.1["created_at"] as? String ?? "", tb = b.1["created_at"] as? String ?? ""
            return ta == tb ? a.0 < b.0 : ta < tb
        })?.1 else { return nil }
        let author = newest["nickname"] as? String ?? ""
        let rating = (newest["ratings"] as? [[String: Any]])?.first?["percent"]
        let percent = (rating as? NSNumber).map { "\($0.intValue)" } ?? (rating as? String) ?? ""
        return (author, percent)
    }
}
