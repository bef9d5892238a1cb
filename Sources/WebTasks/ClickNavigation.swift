import Foundation
import WebBrowser

/// Rewrites the `goto` steps of scripted solutions into what a person on the page would do: follow
/// links, or type into the site's search box.
///
/// A solution that jumps to `__FORUM__/f/gaming` teaches a student nothing it can use: a policy
/// offered the page's elements cannot write a URL it has never seen. NNetnav's demonstrations are
/// clicks and typing, and so should be the oracle's data and the references a policy is compared
/// with. The path is found on the live site, breadth-first over the links' targets (one page load
/// per distinct URL), so it is the shortest click path; a target with a query string is first
/// tried as a search typed into each text field of the page.
public struct ClickNavigation: Sendable {
    /// Longest click path searched for.
    public var maxClicks = 3
    /// Page loads one search may spend.
    public var maxPages = 400

    public init() {}

    /// A task's solution with each `goto` replaced where a path was found (a step that could not be
    /// replaced stays as written), and how many were replaced of how many there were.
    public struct Rewrite: Sendable {
        public var solution: [SolutionStep]
        public var replaced = 0
        public var gotos = 0
    }

    /// What rewriting a task list did, for the record.
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var gotos = 0
        public var replaced = 0
        /// Tasks whose solution failed while being played; they keep their solution as written.
        public var failedTasks: [Int] = []

        public var description: String {
            "\(replaced) of \(gotos) goto steps replaced by clicks or typing"
                + (failedTasks.isEmpty ? "" : "; \(failedTasks.count) solutions failed to play and stay as written")
        }
    }

    /// `tasks` as loaded (placeholders in place), their solutions rewritten on `harness`'s instance.
    public func rewrite(_ tasks: [TaskConfig], harness: TaskHarness) async throws -> (tasks: [TaskConfig], summary: Summary) {
        let placeholders = Dictionary(uniqueKeysWithValues: await harness.cluster.baseURLs(instance: harness.instance)
            .map { ($0.key.urlPlaceholder, $0.value) })
        var summary = Summary()
        var out: [TaskConfig] = []
        for task in tasks {
            var copy = task
            do {
                let rewrite = try await rewrite(task.substituting(placeholders), original: task, harness: harness)
                copy.solution = rewrite.solution
                summary.gotos += rewrite.gotos
                summary.replaced += rewrite.replaced
            } catch {
                summary.failedTasks.append(task.taskID)
            }
            out.append(copy)
        }
        return (out, summary)
    }

    /// Plays `task`'s solution in a prepared browser (`harness.prepare`), replacing its `goto` steps.
    /// The task must carry the instance's URLs; the returned steps keep the original placeholders
    /// (a replaced step names elements, never URLs; an unreplaced step is the original one).
    public func rewrite(_ task: TaskConfig, original: TaskConfig, harness: TaskHarness) async throws -> Rewrite {
        guard task.solution.contains(where: { if case .goto = $0 { return true } else { return false } }) else {
            return Rewrite(solution: original.solution)
        }
        let (browser, _) = try await harness.prepare(task)
        do {
            let rewrite = try await replacingGotos(task, original: original, in: browser)
            await browser.close()
            return rewrite
        } catch {
            await browser.close()
            throw error
        }
    }

    func replacingGotos(_ task: TaskConfig, original: TaskConfig, in browser: some ScriptableBrowser) async throws -> Rewrite {
        var out = Rewrite(solution: [])
        for (index, step) in task.solution.enumerated() {
            guard case .goto(let target) = step else {
                out.solution.append(original.solution[index])
                if case .stop = step { break }
                _ = try await ScriptedSolver().run([step], in: browser)
                continue
            }
            out.gotos += 1
            let here = await browser.currentURL
            if let steps = try await path(from: here, to: target, in: browser) {
                out.solution += steps
                out.replaced += 1
            } else {
                out.solution.append(original.solution[index])
            }
            // Land on the target either way, as the solution did.
            _ = try await browser.step(.goto(url: target))
        }
        return out
    }

    /// The steps leading from `start` (the page the browser shows) to `target`, checked by
    /// playing them (none when `start` is the target); nil when none was found within the limits. The browser's page afterwards is unspecified.
    public func path(from start: String, to target: String, in browser: some ScriptableBrowser) async throws -> [SolutionStep]? {
        // Where the target really lands (a redirect, a trailing slash) counts as reaching it too.
        let landing = try await browser.step(.goto(url: target))
        let goals: Set<String> = [Self.key(target), Self.key(landing.url)]
        // Already there (a solution that reloads its start page): nothing to do.
        if goals.contains(Self.key(start)) { return [] }
        if URLComponents(string: target)?.queryItems?.isEmpty == false,
           let search = try await searchStep(from: start, to: target, goals: goals, in: browser) {
            return [search]
        }
        guard let clicks = try await clickPath(from: start, goals: goals, in: browser) else { return nil }
        // Checked by playing: a locator that resolves to another link would teach a wrong click.
        _ = try await browser.step(.goto(url: start))
        _ = try await ScriptedSolver().run(clicks, in: browser)
        return goals.contains(Self.key(await browser.currentURL)) ? clicks : nil
    }

    /// Typing one of the target's query values into a text field of the start page, then Enter.
    func searchStep(from start: String, to target: String, goals: Set<String>,
                    in browser: some ScriptableBrowser) async throws -> SolutionStep? {
        let values = (URLComponents(string: target)?.queryItems ?? []).compactMap(\.value).filter { !$0.isEmpty }
        _ = try await browser.step(.goto(url: start))
        let fields = await browser.elements().filter { Self.textFieldRoles.contains($0.role) }
        for field in fields {
            for value in values {
                _ = try await browser.step(.goto(url: start))
                let ids = await browser.elementIDs(role: field.role, name: field.name)
                guard let index = ids.firstIndex(of: field.id) else { continue }
                _ = try await browser.step(.type(id: field.id, text: value, pressEnter: true))
                if goals.contains(Self.key(await browser.currentURL)) {
                    return .type(ElementLocator(role: field.role, name: field.name, index: index == 0 ? nil : index),
                                 text: value, enter: true)
                }
            }
        }
        return nil
    }

    /// Breadth-first over link targets of the same site; each page is loaded once.
    func clickPath(from start: String, goals: Set<String>, in browser: some ScriptableBrowser) async throws -> [SolutionStep]? {
        guard let site = Self.origin(start) else { return nil }
        var parent: [String: (from: String, step: SolutionStep)] = [:]
        var depth = [Self.key(start): 0]
        var queue = [start]
        var head = 0
        var loads = 0
        while head < queue.count, loads < maxPages {
            let url = queue[head]
            head += 1
            let level = depth[Self.key(url)] ?? 0
            guard level < maxClicks else { continue }
            let page = try await browser.step(.goto(url: url))
            loads += 1
            guard page.error == nil, page.status < 400 else { continue }
            for (link, locator, target) in try await Self.clickableLinks(in: browser) {
                let key = Self.key(target)
                guard depth[key] == nil, Self.origin(target) == site, !Self.leavesSession(link.name, target) else { continue }
                depth[key] = level + 1
                parent[key] = (Self.key(url), .click(locator))
                if goals.contains(key) {
                    var steps: [SolutionStep] = []
                    var cursor = key
                    while let (from, step) = parent[cursor] {
                        steps.insert(step, at: 0)
                        cursor = from
                    }
                    return steps
                }
                queue.append(target)
            }
        }
        return nil
    }

    /// The page's links with the locator that finds each again, links with a name unique on the
    /// page first: a locator with an index depends on which matches a reader sees.
    static func clickableLinks(in browser: some ScriptableBrowser) async throws -> [(link: PageElement, locator: ElementLocator, url: String)] {
        var unique: [(link: PageElement, locator: ElementLocator, url: String)] = []
        var shared: [(link: PageElement, locator: ElementLocator, url: String)] = []
        for link in await browser.elements() where link.role == "link" && !link.name.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let url = link.url else { continue }
            let ids = await browser.elementIDs(role: "link", name: link.name)
            guard let index = ids.firstIndex(of: link.id) else { continue }
            let locator = ElementLocator(role: "link", name: link.name, index: index == 0 ? nil : index)
            if ids.count == 1 { unique.append((link, locator, url)) } else { shared.append((link, locator, url)) }
        }
        return unique + shared
    }

    /// Signing out or deleting through a link would change the state the rest of the solution needs.
    static func leavesSession(_ name: String, _ url: String) -> Bool {
        let text = (name + " " + url).lowercased()
        return SessionControl.endsSession(name: name, url: url) || ["delete", "remove"].contains { text.contains($0) }
    }

    static let textFieldRoles: Set<String> = ["searchbox", "textbox", "combobox"]

    /// A URL as `url_match` compares it exactly (`URLMatch.parts`), with its origin: path without
    /// fragment or trailing slash, query decoded (a form writes spaces as `+`, a solution's URL as `%20`) and unordered.
    static func key(_ url: String) -> String {
        let (path, query) = URLMatch.parts(url)
        return (origin(url) ?? "") + path + "?" + query.keys.sorted().map { "\($0)=\(query[$0]!.sorted().joined(separator: ","))" }.joined(separator: "&")
    }

    static func origin(_ url: String) -> String? {
        guard let c = URLComponents(string: url), let scheme = c.scheme, let host = c.host else { return nil }
        return "\(scheme)://\(host):\(c.port ?? -1)"
    }
}
