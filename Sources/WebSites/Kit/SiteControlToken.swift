import Foundation
import HTTPServer

/// The per-process secret guarding the bundled sites' control routes (see `SiteCluster.controlToken`).
public enum SiteControlToken {
    public static let headerName = "X-NNetnav-Control-Token"

    /// The token a request carries, if any (header names compare case-insensitively).
    static func sent(in request: Request) -> String? {
        request.headers[HTTPHeaderName(headerName)!]
    }

    /// Where a cluster leaves its token for `nnetnav env reset` on the same machine.
    public static func file(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("control-token")
    }

    /// 256 random bits as hex, from the system's CSPRNG.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// Written owner-only (0600) before any server listens, so other local users cannot read it.
    static func write(_ token: String, to file: URL) throws {
        let fm = FileManager.default
        try? fm.removeItem(at: file)
        guard fm.createFile(atPath: file.path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SiteClusterError.invalidArgument("could not write the control token to \(file.path)")
        }
    }

    /// Reads a token left by `env serve`; nil when there is none.
    public static func read(from file: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: file.path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !text.isEmpty else { return nil }
        return text
    }

    /// Constant-time comparison, so response timing does not leak the token byte by byte.
    static func matches(_ sent: String, _ token: String) -> Bool {
        let a = Array(sent.utf8), b = Array(token.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
