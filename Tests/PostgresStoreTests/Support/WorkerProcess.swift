import Foundation
import NNetnavSupport

/// The built `nnetnav` executable run as a separate process (a crawl worker), from the project root.
struct NNetnavProcess {
    let process: Process
    let output: URL

    /// `nnetnav` next to the test bundle (swift build --build-tests builds both into one folder).
    static var executable: URL {
        get throws {
            var candidates: [URL] = []
            for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
                candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("nnetnav"))
            }
            candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("nnetnav"))
            candidates.append(ProjectLayout.current.root.appendingPathComponent(".build/debug/nnetnav"))
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw NSError(domain: "NNetnavProcess", code: 1, userInfo: [NSLocalizedDescriptionKey:
                    "the nnetnav executable was not built (looked at \(candidates.map(\.path)))"])
            }
            return found
        }
    }

    static func start(_ arguments: [String], log: URL, environment: [String: String] = [:]) throws -> NNetnavProcess {
        let process = Process()
        var inherited = ProcessInfo.processInfo.environment
        // A scheduler's shard variables in the test's own environment must not reach the workers.
        for name in ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "NNETNAV_SHARDS"] { inherited[name] = nil }
        process.environment = inherited.merging(environment) { _, new in new }
        process.executableURL = try executable
        process.arguments = arguments
        process.currentDirectoryURL = ProjectLayout.current.root
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return NNetnavProcess(process: process, output: log)
    }

    /// Runs to the end; throws with the output when it fails.
    @discardableResult
    static func run(_ arguments: [String], log: URL, environment: [String: String] = [:]) async throws -> String {
        let worker = try start(arguments, log: log, environment: environment)
        let status = await worker.wait()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw NSError(domain: "NNetnavProcess", code: Int(status), userInfo: [NSLocalizedDescriptionKey:
                "nnetnav \(arguments.joined(separator: " ")) exited with \(status):\n\(text.suffix(3000))"])
        }
        return text
    }

    func wait() async -> Int32 {
        while process.isRunning { try? await Task.sleep(nanoseconds: 50_000_000) }
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    func kill9() { kill(process.processIdentifier, SIGKILL) }
}
