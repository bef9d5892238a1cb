import ArgumentParser
import Foundation
import WebBrowser

struct ObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "Print the text observation of a URL or HTML file.",
        discussion: """
        Loads the page in the native browser (no JavaScript) and prints what an agent would see: \
        the tab header and the accessibility tree as `[id] role 'name' prop: value` lines. \
        With --json, prints the whole tree with each node's role, name, properties and the \
        HTML attributes of the element it came from.
        """)

    @Argument(help: "An http(s) URL, or the path of an HTML file.")
    var location: String

    @Flag(help: "Print the tree as JSON instead of text.")
    var json = false

    @Option(help: "Tree lines per viewport window; 0 prints the whole page.")
    var viewportLines = 0

    @Option(help: "Request timeout in seconds.")
    var timeout: Double = 15

    func run() async throws {
        let isURL = location.lowercased().hasPrefix("http://") || location.lowercased().hasPrefix("https://")
            || location.lowercased().hasPrefix("file:")
        var url = location
        if !isURL {
            let path = URL(fileURLWithPath: location).standardizedFileURL
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw ValidationError("No such file: \(location)")
            }
            url = path.absoluteString
        }
        let session = BrowserSession(configuration: BrowserConfiguration(
            allowFileURLs: !isURL || url.lowercased().hasPrefix("file:"), viewportLines: viewportLines, timeout: timeout))
        let observation = try await session.reset(startURL: url)
        if let error = observation.error {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            if observation.status == 0 { throw ExitCode.failure }
        }
        if json {
            let tree = session.accessibilityTree
            let object: [String: Any] = [
                "url": observation.url, "title": observation.title, "status": observation.status,
                "tree": Self.json(tree.root),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(observation.text)
        }
    }

    static func json(_ node: AccessibilityNode) -> [String: Any] {
        var object: [String: Any] = ["id": node.id, "role": node.role, "name": node.name]
        if !node.properties.isEmpty {
            object["properties"] = Dictionary(node.properties.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        if let element = node.element {
            object["tag"] = element.tag
            if !element.attributes.isEmpty {
                object["attributes"] = Dictionary(element.attributes.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            }
        }
        if !node.children.isEmpty { object["children"] = node.children.map(json) }
        return object
    }
}
