import ArgumentParser
import Dispatch
import Foundation
import HTTPTransport
import NNetnavSupport
import WebSites

struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Serve and reset the bundled sites.",
        discussion: """
        The bundled sites (shop, admin, forum, code, wiki) run on loopback, each instance with its own \
        SQLite database copied from a pristine seeded file. Accounts and passwords are listed in \
        environments/README.md.
        """,
        subcommands: [Serve.self, Reset.self, Dump.self])

    struct Dump: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the sites' seeded databases to a folder, for writing tasks and checks against them.",
            discussion: """
            One SQLite file per database (store.sqlite serves both shop and admin), seeded exactly as the \
            running sites are, e.g. `sqlite3 DIR/forum.sqlite 'SELECT title FROM posts LIMIT 5'`.
            """)

        @Option(name: .long, help: "Folder to write into (created if missing).")
        var out: String

        @OptionGroup(title: "Sites whose databases to write (default: every built-in site)")
        var siteOptions: SiteOptions

        @Option(name: .long, help: "Seed of the generated content; task sets assume 0.")
        var seed: UInt64 = 0

        func run() async throws {
            let folder = URL(fileURLWithPath: out, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var written = Set<String>()
            for site in try builtIn(try siteOptions.bundledSites(or: SiteCatalog.available)) {
                guard let definition = SiteCatalog.definition(site), written.insert(definition.database).inserted else { continue }
                let file = folder.appendingPathComponent("\(definition.database).sqlite")
                try definition.writeSeededDatabase(seed: seed, to: file)
                print(file.path)
            }
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the sites on 127.0.0.1 and print their URLs; runs until Ctrl-C.",
            discussion: """
            With --port BASE, instance i of the k-th listed site listens on BASE + i * (number of sites) + k; \
            without it every server takes a free port. The pristine databases are built once per data \
            directory and seed (a few seconds) and reused afterwards.
            """)

        @OptionGroup(title: "Sites to start (default: every built-in site)")
        var siteOptions: SiteOptions

        @Option(name: .long, help: "Number of isolated instances of each site, for parallel crawls.")
        var instances = 1

        @Option(name: .long, help: "First port to use (default: free ports).")
        var port: Int?

        @Option(name: .long, help: "Seed of the generated content; task sets assume 0.")
        var seed: UInt64 = 0

        @Option(name: .long, help: "Where pristine and live databases are kept (default: runs/env).")
        var dataDir: String?

        func run() async throws {
            let names = try builtIn(try siteOptions.bundledSites(or: SiteCatalog.available))
            let directory = dataDir.map { URL(fileURLWithPath: $0) }
                ?? ProjectLayout.current.runs.appendingPathComponent("env", isDirectory: true)
            let started = Date()
            let cluster = try await SiteCluster.start(sites: names, instances: instances, basePort: port,
                                                      dataDirectory: directory, seed: seed)
            say(String(format: "Started %d site instance(s) in %.1f s (data in %@)\n", names.count * instances,
                         Date().timeIntervalSince(started), directory.path))
            say("SITE    INSTANCE  URL")
            for instance in 0..<instances {
                for name in names {
                    let url = await cluster.baseURL(name, instance: instance)
                    say("\(name.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))\(String(instance).padding(toLength: 10, withPad: " ", startingAt: 0))\(url)")
                }
            }
            say("\nReset with: nnetnav env reset --url <URL>   (or POST <URL>/__nnetnav/reset). Ctrl-C stops.")
            await waitForInterrupt()
            say("\nStopping…")
            await cluster.shutdown()
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore running sites to their pristine seeded state without restarting them.",
            discussion: """
            Give the URL of a site instance (--url), or the base port the server was started with plus the \
            site and instance (--port, --site, --instance) using the same port layout as `env serve --port`. \
            With --port and no --site, every listed site of the instance is reset. shop and admin share \
            one database: resetting either resets both.
            """)

        @Option(name: .long, help: "Base URL of a running site instance, e.g. http://127.0.0.1:7770.")
        var url: String?

        @Option(name: .long, help: "Base port given to `env serve --port`.")
        var port: Int?

        @Option(name: .long, help: "Site to reset (with --port).")
        var site: SiteList?

        @Option(name: .long, help: "Comma-separated sites the server was started with (with --port; default: all built-in).")
        var sites: SiteList?

        func validate() throws {
            try site?.validate(option: "--site")
            try sites?.validate()
        }

        @Option(name: .long, help: "Instance to reset (with --port).")
        var instance = 0

        @Option(name: .long, help: "Data directory given to `env serve` (default: runs/env); its control-token file authorizes the reset.")
        var dataDir: String?

        @Option(name: .long, help: "The server's control token (default: read from the data directory).")
        var token: String?

        func run() async throws {
            var targets: [String] = []
            if let url {
                targets = [url]
            } else if let port {
                let started = try builtIn(sites?.sites ?? SiteCatalog.available)
                let chosen = try site.map { try builtIn($0.sites) } ?? started
                for name in chosen {
                    guard let k = started.firstIndex(of: name) else {
                        throw ValidationError("site '\(name)' is not among the started sites \(started.map(\.rawValue))")
                    }
                    targets.append("http://127.0.0.1:\(port + instance * started.count + k)")
                }
            } else {
                throw ValidationError("give --url or --port")
            }
            let directory = dataDir.map { URL(fileURLWithPath: $0) }
                ?? ProjectLayout.current.runs.appendingPathComponent("env", isDirectory: true)
            let tokenFile = SiteControlToken.file(in: directory)
            guard let secret = token ?? SiteControlToken.read(from: tokenFile) else {
                throw ValidationError("no control token: give --token, or --data-dir of the running `env serve` (looked in \(tokenFile.path))")
            }
            let client = HTTPClient(configuration: .init(timeout: 30, keepsCookies: false))
            for target in targets {
                let base = target.hasSuffix("/") ? String(target.dropLast()) : target
                do {
                    let response = try await client.send(HTTPRequest(method: .post, url: base + "/__nnetnav/reset",
                                                                     headers: [(SiteControlToken.headerName, secret)], body: Data()))
                    guard response.status == 200 else {
                        throw ValidationError("\(base) answered HTTP \(response.status): \(response.text)")
                    }
                    print("\(base): \(response.text.trimmingCharacters(in: .whitespacesAndNewlines))")
                } catch let error as HTTPError {
                    throw ValidationError("could not reset \(base): \(error)")
                }
            }
        }
    }
}

/// The sites, refusing one that this binary does not serve.
private func builtIn(_ sites: [SiteName]) throws -> [SiteName] {
    for site in sites where SiteCatalog.definition(site) == nil {
        throw ValidationError("site '\(site)' is not built into this binary yet")
    }
    return sites
}

/// Returns when the process receives SIGINT or SIGTERM.
private func waitForInterrupt() async {
    let (stream, continuation) = AsyncStream<Int32>.makeStream()
    var sources: [DispatchSourceSignal] = []
    for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
        source.setEventHandler { continuation.yield(sig) }
        source.resume()
        sources.append(source)
    }
    for await _ in stream { break }
    for s in sources { s.cancel() }
}

/// Prints unbuffered, so the URL table reaches a pipe or log file while the server runs.
private func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
