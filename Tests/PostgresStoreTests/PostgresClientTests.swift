import Foundation
@testable import PostgresStore
import XCTest

/// The libpq client under the shared store: parameters are typed and never spliced into the text,
/// values of every kind the stores use come back as they went in, a connection the server drops
/// is replaced, more callers than connections wait their turn, and failures read clearly.
final class PostgresClientTests: XCTestCase {
    func testInterpolationBindsEveryValueAsATypedParameter() {
        let name = "x'; DROP TABLE run; --"
        let query: PostgresQuery = "SELECT \(name), \(Int64(-7)), \(2.5), \([Int64(1), 2, 3])::BIGINT[]"
        XCTAssertEqual(query.sql, "SELECT $1, $2, $3, $4::BIGINT[]")
        XCTAssertEqual(query.binds.map(\.type), [.text, .int8, .float8, .int8Array])
        XCTAssertEqual(query.binds.map { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }, [name, "-7", "2.5", "{1,2,3}"])
        XCTAssertEqual(PostgresBind.int8(nil).bytes, nil, "a NULL keeps its type and has no bytes")
        XCTAssertTrue(PostgresBind.bytea(Data([0, 1])).binary)
    }

    func testFloatTextFormsAreTheServersSpellings() {
        XCTAssertEqual(PostgresText.float8(.nan), "NaN")
        XCTAssertEqual(PostgresText.float8(.infinity), "Infinity")
        XCTAssertEqual(PostgresText.float8(-.infinity), "-Infinity")
        XCTAssertEqual(Double(PostgresText.float8(0.1 + 0.2)), 0.1 + 0.2, "finite values read back exactly")
    }

    func testCellDecodingAndItsErrors() throws {
        let row = PostgresRow(cells: [Array("42".utf8), nil, Array("\\x00ff7A".utf8), Array("abc".utf8), Array("\\x0g".utf8)])
        XCTAssertEqual(try row.decode(0, as: Int64.self), 42)
        XCTAssertNil(try row.decode(1, as: String?.self))
        XCTAssertEqual(try row.decode(2, as: Data.self), Data([0x00, 0xFF, 0x7A]))
        XCTAssertThrowsError(try row.decode(1, as: String.self)) { XCTAssertTrue("\($0)".contains("NULL"), "\($0)") }
        XCTAssertThrowsError(try row.decode(3, as: Int64.self)) { XCTAssertTrue("\($0)".contains("not an integer"), "\($0)") }
        XCTAssertThrowsError(try row.decode(3, as: Double.self)) { XCTAssertTrue("\($0)".contains("not a number"), "\($0)") }
        XCTAssertThrowsError(try row.decode(4, as: Data.self), "odd-length or non-hex bytea is refused")
        XCTAssertThrowsError(try row.decode(9, as: String.self)) { XCTAssertTrue("\($0)".contains("5 columns"), "\($0)") }
    }

    func testValuesRoundTripThroughTheServerUnchanged() async throws {
        let session = try await PostgresSession.connect(try await TestDatabase.fresh())
        defer { session.close() }
        let text = "naïve 'quoted' \\ back\nslash ✓ 𝄞"
        let bytes = Data((0...255).map(UInt8.init))
        let query: PostgresQuery = """
            SELECT \(text), \(Int64.min), \(Double.pi), \(Double.infinity), \(Double.nan), \(""),
                   array_length(\([Int64(4), 5, 6])::BIGINT[], 1), $8::BYTEA, $9::TEXT
            """
        let row = try await XCTUnwrapAsync(try await session.query(query.withBinds([.bytea(bytes), .text(nil)])).first)
        XCTAssertEqual(try row.decode(0, as: String.self), text)
        XCTAssertEqual(try row.decode(1, as: Int64.self), .min)
        XCTAssertEqual(try row.decode(2, as: Double.self), .pi)
        XCTAssertEqual(try row.decode(3, as: Double.self), .infinity)
        XCTAssertTrue(try row.decode(4, as: Double.self).isNaN)
        XCTAssertEqual(try row.decode(5, as: String.self), "", "an empty string is not NULL")
        XCTAssertEqual(try row.decode(6, as: Int64.self), 3)
        XCTAssertEqual(try row.decode(7, as: Data.self), bytes)
        XCTAssertNil(try row.decode(8, as: String?.self))
    }

    func testAServerErrorCarriesItsCodeAndATransactionRollsBack() async throws {
        let session = try await PostgresSession.connect(try await TestDatabase.fresh())
        defer { session.close() }
        try await session.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        do {
            try await session.query("SELECT * FROM no_such_table")
            XCTFail("a missing table must fail")
        } catch let error as PostgresError {
            guard case .server(let state, let message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(state, "42P01")
            XCTAssertTrue(message.contains("no_such_table"), message)
        }
        struct Abort: Error {}
        do {
            _ = try await session.transaction { connection in
                try await connection.run("INSERT INTO t (k) VALUES (\("kept?"))")
                throw Abort()
            }
            XCTFail("the body's error must come out")
        } catch is Abort {}
        let afterRollback = try await session.textRows("SELECT count(*)::text FROM t")
        XCTAssertEqual(afterRollback, [["0"]], "rolled back")
        try await session.transaction { try await $0.run("INSERT INTO t (k) VALUES (\("kept"))") }
        let afterCommit = try await session.textRows("SELECT k FROM t")
        XCTAssertEqual(afterCommit, [["kept"]])
    }

    func testMoreCallersThanConnectionsAndADroppedConnectionIsReplaced() async throws {
        let url = try await TestDatabase.fresh()
        let session = try await PostgresSession.connect(url)
        defer { session.close() }
        // 24 concurrent sleepers on at most 8 connections: every one answers, none fails.
        let answers = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<24 { group.addTask { try await session.query("SELECT \(Int64(i)) FROM pg_sleep(0.05)").first!.decode(0, as: Int64.self) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(answers.sorted(), (0..<24).map(Int64.init))
        let opened = try await session.textRows("SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database()")
        XCTAssertLessThanOrEqual(Int(opened[0][0]) ?? 99, 8)
        // The server ends every connection of this database but the caller's: the pooled ones are
        // broken; the first call fails on one, the pool then drops them all and opens new ones.
        let killer = try await PostgresSession.connect(url)
        try await killer.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        killer.close()
        var failures = 0
        for _ in 0..<10 {
            do { try await session.query("SELECT 1") } catch { failures += 1 }
        }
        XCTAssertEqual(failures, 1, "one failed call (the server closed its connection), not one per broken connection")
        let again = try await session.textRows("SELECT 1::text")
        XCTAssertEqual(again, [["1"]])
    }

    func testADeadServerAndAClosedSessionAreClearErrors() async throws {
        let port = try XCTUnwrap(Self.closedPort())
        let dead = try PostgresURL(parsing: "postgres://nobody@127.0.0.1:\(port)/none")
        do {
            _ = try await PostgresSession.connect(dead)
            XCTFail("nothing listens there")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot use the PostgreSQL store") && "\(error)".contains("127.0.0.1"), "\(error)")
        }
        let session = try await PostgresSession.connect(try await TestDatabase.fresh())
        session.close()
        do {
            try await session.query("SELECT 1")
            XCTFail("a closed session must refuse calls")
        } catch let error as PostgresError {
            guard case .closed = error else { return XCTFail("\(error)") }
        }
    }

    /// A loopback port nothing listens on: bound, read, released.
    private static func closedPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}

private extension PostgresQuery {
    /// Appends parameters for placeholders written by hand after the interpolated ones.
    func withBinds(_ extra: [PostgresBind]) -> PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds + extra) }
}
