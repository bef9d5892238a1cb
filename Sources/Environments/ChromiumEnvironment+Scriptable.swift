import Foundation
import ChromiumBrowser
import WebBrowser
import WebTasks

// Here rather than in either module: WebTasks and ChromiumBrowser do not depend on each other.
// `currentURL`, `elementIDs(role:name:)` and `close()` are ChromiumEnvironment's own.
extension ChromiumEnvironment: ScriptableBrowser {
    public func text(_ locator: TextLocator) async throws -> String? {
        switch locator {
        case .page:
            return try await renderedText(selector: nil)
        case .selector(let css):
            return try await renderedText(selector: css)
        case .accessibilityNode(let role, let name):
            guard let id = await elementIDs(role: role, name: name).first else { return nil }
            return try await renderedText(elementID: id)
        }
    }
}
