import ChromiumBrowser
import Foundation
import NNetnavSupport
import XCTest

/// What some tests need from the machine, checked one way everywhere: a test that cannot run here
/// throws `XCTSkip` (reported as skipped, never as passed) saying how to get what is missing.
public enum TestRequirements {
    /// Headless Chromium (scripts/prerequisites.sh installs it).
    public static func chromium() throws {
        guard ChromiumBrowser.isInstalled else {
            throw XCTSkip("Chromium is not installed (scripts/prerequisites.sh installs it)")
        }
    }

    /// The MiniWoB++ task pages (fetched from PyPI on first use; running them needs `chromium()` too).
    public static func miniWoBPages() throws -> MiniWoBPages {
        do { return try MiniWoBPages.prepare() } catch { throw XCTSkip("MiniWoB++ pages unavailable: \(error)") }
    }

    /// Whether the embedded model file is here (scripts/prerequisites.sh fetches it; CI fails without it).
    public static var embeddedModelIsPresent: Bool {
        FileManager.default.fileExists(atPath: ProjectLayout.current.defaultModelFile.path)
    }

    /// The embedded SmolLM2 GGUF, for the minute-long tests that run it; `NNETNAV_SKIP_EMBEDDED_TESTS=1` skips them.
    public static func embeddedModel() throws -> URL {
        if ProcessInfo.processInfo.environment["NNETNAV_SKIP_EMBEDDED_TESTS"] == "1" {
            throw XCTSkip("NNETNAV_SKIP_EMBEDDED_TESTS=1")
        }
        guard embeddedModelIsPresent else {
            throw XCTSkip("the embedded model is not installed (bash scripts/prerequisites.sh fetches it)")
        }
        return ProjectLayout.current.defaultModelFile
    }

    /// The URL of a PostgreSQL server the tests may create databases on (`NNETNAV_TEST_POSTGRES_URL`,
    /// set by scripts/test.sh, which starts a throwaway server). Without it the test is skipped, visibly,
    /// unless `NNETNAV_REQUIRE_POSTGRES=1` or `CI` is set: there a missing server is a failure.
    public static func postgresURL() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["NNETNAV_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        if environment["NNETNAV_REQUIRE_POSTGRES"] == "1" || environment["CI"] != nil {
            throw MissingRequirement(message: "NNETNAV_TEST_POSTGRES_URL is not set but PostgreSQL is required here "
                                     + "(scripts/test.sh starts a throwaway server and sets it)")
        }
        throw XCTSkip("no PostgreSQL server: NNETNAV_TEST_POSTGRES_URL is not set (run scripts/test.sh, or "
                      + "`source scripts/start-test-postgres.sh` first)")
    }

    /// A requirement that must hold where the test runs: an error, so the test fails.
    public struct MissingRequirement: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
