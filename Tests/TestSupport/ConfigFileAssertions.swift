import Foundation
import NNetnavSupport
import XCTest

/// Config files written to a temporary file and loaded, for the tests of `run --config` and
/// `explore --config`.
public enum ConfigFileAssertions {
    /// `json` written to a temporary file (named `nnetnav-config-…`) and read back with `load`.
    public static func load<Config>(_ json: String, with load: (URL) throws -> Config) throws -> Config {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnetnav-config-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(json.utf8).write(to: url)
        return try load(url)
    }

    /// Asserts that loading `json` fails with a `ConfigError` that names `key` and the file.
    public static func assertRejected<Config>(_ json: String, naming key: String, with load: (URL) throws -> Config,
                                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Self.load(json, with: load), file: file, line: line) { error in
            XCTAssertEqual((error as? ConfigError)?.key, key, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains("\"\(key)\""), "the message names the key: \(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains("nnetnav-config-"), "the message names the file: \(error)", file: file, line: line)
        }
    }
}
