import ArgumentParser
import CrawlViewer
import Foundation

struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Browse a crawl store in a local web page: episodes, steps, checkpoints, demonstrations.",
        discussion: """
        Serves a read-only viewer on loopback: the run's charts (judge scores, pruning depths, action mix), \
        episodes with filters (site, kept or pruned, judge score, template rationales, instruction search), \
        each episode's steps with the page before and after (changed lines highlighted), the labeler's and \
        judge's raw answers and the pruning decision, and the demonstrations as they will be exported. \
        /rows/EPISODE:DEPTH:STEP leads from an exported SFT row id to its step. The store is opened \
        read-only, so a crawl may still be writing it. A postgres:// store is shown as a snapshot taken \
        at start (restart the viewer to see newer episodes).
        """)

    @Option(name: .long, help: "The crawl store written by `nnetnav explore` (e.g. runs/main/crawl.sqlite, or a postgres:// URL).")
    var store: StoreLocation

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port = 8090

    @Option(name: .long, help: "Address to bind; loopback unless you mean to share the page.")
    var host = "127.0.0.1"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        try store.validateExists()
    }

    func run() async throws {
        let (snapshot, finish) = try await store.openForReading()
        defer { finish() }
        let server = try CrawlViewerServer(storePath: snapshot.path ?? store.description)
        let host = host
        try await server.run(host: host, port: port) { port in
            print("nnetnav view: http://\(host):\(port)/ (Ctrl-C to stop)")
        }
    }
}
