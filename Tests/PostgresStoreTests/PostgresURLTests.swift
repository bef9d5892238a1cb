import Pipeline
import PostgresStore
import XCTest

final class PostgresURLTests: XCTestCase {
    func testParsesHostPortDatabaseAndHidesThePassword() throws {
        let url = try PostgresURL(parsing: "postgres://crawler:s3cret@db.example:6543/nnetnav")
        XCTAssertEqual(url.user, "crawler")
        XCTAssertEqual(url.password, "s3cret")
        XCTAssertEqual(url.host, "db.example")
        XCTAssertEqual(url.port, 6543)
        XCTAssertEqual(url.database, "nnetnav")
        XCTAssertEqual(url.sslMode, "prefer")
        XCTAssertFalse(url.description.contains("s3cret"))
    }

    func testSocketDirectoryAndLoopbackTurnTLSOff() throws {
        let socket = try PostgresURL(parsing: "postgresql://me@localhost:5433/crawl?host=/tmp/pg")
        XCTAssertEqual(socket.socketDirectory, "/tmp/pg")
        XCTAssertEqual(socket.sslMode, "disable")
        XCTAssertEqual(try PostgresURL(parsing: "postgres://me@127.0.0.1/crawl").sslMode, "disable")
    }

    func testRefusesAURLWithoutDatabaseOrWithABadSSLMode() {
        XCTAssertThrowsError(try PostgresURL(parsing: "postgres://me@host:5432/")) { error in
            XCTAssertTrue("\(error)".contains("names no database"), "\(error)")
        }
        XCTAssertThrowsError(try PostgresURL(parsing: "postgres://me:pw@host/db?sslmode=maybe")) { error in
            XCTAssertFalse("\(error)".contains("pw"), "\(error)")
        }
    }

    func testShardFromSchedulerEnvironment() throws {
        XCTAssertEqual(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], count: 4), Shard(index: 2, count: 4))
        XCTAssertEqual(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "11", "SLURM_ARRAY_TASK_MIN": "10",
                                                  "SLURM_ARRAY_TASK_COUNT": "3"], count: nil), Shard(index: 1, count: 3))
        XCTAssertEqual(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0", "NNETNAV_SHARDS": "8"], count: nil),
                       Shard(index: 0, count: 8))
        XCTAssertNil(try Shard.fromEnvironment([:], count: 4))
        XCTAssertThrowsError(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1"], count: nil))
        XCTAssertThrowsError(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "4"], count: 4))
    }
}
