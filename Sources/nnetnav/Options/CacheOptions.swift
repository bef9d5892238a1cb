import ArgumentParser
import Foundation
import LanguageModels
import PostgresStore

extension CachedChatModel.Mode: ExpressibleByArgument {}

/// `--cache` and `--cache-mode`, on every command that calls a model through the response cache.
struct CacheOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How model calls use the response cache.", discussion: """
        read-write (the default): answer from the cache when the same request was made before, \
        otherwise call the model and record its answer. replay: answer only from the cache; a request \
        that was never made is an error, which proves a rerun made no new model calls. refresh: always \
        call the model and overwrite the recorded answer.
        """))
    var cacheMode: CachedChatModel.Mode = .readWrite

    @Option(name: .long, help: "Response cache: a SQLite file, or (for explore) postgres://user@host:port/db shared by every worker. Default: responses.sqlite in the command's output folder.")
    var cache: String?

    /// `model` behind the cache at `--cache`, or at `defaultPath`.
    func wrap(_ model: any ChatModel, defaultPath: String) throws -> CachedChatModel {
        if let cache, PostgresURL.isPostgres(cache) {
            throw ValidationError("--cache postgres://… is for `nnetnav explore`; give this command a SQLite file")
        }
        return CachedChatModel(wrapping: model, cache: try ResponseCache(path: cache ?? defaultPath), mode: cacheMode)
    }

    /// The same, where `--cache` may also be a PostgreSQL cache shared by crawl workers.
    func wrapAllowingShared(_ model: any ChatModel, defaultPath: String) async throws -> CachedChatModel {
        guard let cache, PostgresURL.isPostgres(cache) else { return try wrap(model, defaultPath: defaultPath) }
        return CachedChatModel(wrapping: model, cache: try await PostgresResponseCache.open(try PostgresURL(parsing: cache)),
                               mode: cacheMode)
    }
}
