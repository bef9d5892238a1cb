import WebBrowser

/// Runs a task's scripted solution in a browser, resolving role+name locators to element ids
/// on the page each step acts on.
public struct ScriptedSolver: Sendable {
    public enum Error: Swift.Error, CustomStringConvertible {
        case elementNotFound(step: Int, SolutionStep, url: String)
        case actionFailed(step: Int, SolutionStep, url: String, message: String)

        public var description: String {
            switch self {
            case .elementNotFound(let i, let s, let u): return "step \(i + 1) (\(s)): no such element on \(u)"
            case .actionFailed(let i, let s, let u, let m): return "step \(i + 1) (\(s)) failed on \(u): \(m)"
            }
        }
    }

    /// What a run did: the actions taken (for demonstrations) and the final answer.
    public struct Run: Sendable {
        public var actions: [BrowserAction] = []
        public var answer: String = ""
        public var finalURL: String = ""
    }

    public init() {}

    /// Runs the steps; throws at the first step whose element is missing or whose action errs.
    public func run(_ steps: [SolutionStep], in browser: some ScriptableBrowser) async throws -> Run {
        var run = Run()
        for (i, step) in steps.enumerated() {
            let action: BrowserAction
            switch step {
            case .click(let l): action = .click(id: try await resolve(l, i, step, browser))
            case .type(let l, let text, let enter): action = .type(id: try await resolve(l, i, step, browser), text: text, pressEnter: enter)
            case .select(let l, let value): action = .selectOption(id: try await resolve(l, i, step, browser), value: value)
            case .goto(let url): action = .goto(url: url)
            case .back: action = .goBack
            case .stop(let answer):
                run.actions.append(.stop(answer: answer))
                run.answer = answer
                run.finalURL = await browser.currentURL
                return run
            }
            let observation = try await browser.step(action)
            run.actions.append(action)
            if let error = observation.error {
                throw Error.actionFailed(step: i, step, url: observation.url, message: error)
            }
            if observation.status >= 400 {
                throw Error.actionFailed(step: i, step, url: observation.url, message: "HTTP \(observation.status)")
            }
        }
        run.finalURL = await browser.currentURL
        return run
    }

    private func resolve(_ locator: ElementLocator, _ index: Int, _ step: SolutionStep, _ browser: some ScriptableBrowser) async throws -> Int {
        let ids = await browser.elementIDs(role: locator.role, name: locator.name)
        let n = locator.index ?? 0
        guard n < ids.count else { throw Error.elementNotFound(step: index, step, url: await browser.currentURL) }
        return ids[n]
    }
}
