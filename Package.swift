// swift-tools-version: 6.1
import PackageDescription

// Numeric targets are always compiled optimised, even in debug builds and `swift test`,
// because an unoptimised transformer forward pass is 50-100x slower and would make the
// test suite miss its time budget.
let optimized: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]

let package = Package(
    name: "nnetnav",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nnetnav", targets: ["nnetnav"]),
        .executable(name: "nnetnav-bench", targets: ["nnetnav-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C libraries, through the system's -dev packages.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),

        // Shared plumbing: project layout, progress bars, JSONL.
        .target(name: "NNetnavSupport"),
        // The project's own HTTP/1.1 server (POSIX sockets, a thread per connection) and router: the bundled
        // sites, the crawl viewer and the test and bench stand-ins serve with it. It replaced Hummingbird,
        // whose SwiftNIO stack was over a quarter of a from-scratch build's compile time.
        .target(name: "HTTPServer"),
        // HTTP over libcurl: used by the browser and by the OpenAI-compatible client.
        .target(name: "HTTPTransport", dependencies: ["CCurl"]),
        // SIMD kernels in C (quantized dot products per instruction set, picked by cpuid at run time);
        // always optimised, like the Swift numeric targets.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // Numeric kernels shared by inference and training: GEMM split across our own threads,
        // quantized matrix-vector products, normalisation and rotary embeddings.
        .target(name: "Kernels", dependencies: ["CBLAS", "CKernels"], swiftSettings: optimized),

        // The native headless browser: DOM, accessibility tree, observations, actions.
        .target(name: "WebBrowser", dependencies: ["HTTPTransport", "CLibXML2"]),
        // Second browser backend: headless Chromium over the DevTools protocol, for JavaScript sites and MiniWoB++.
        .target(name: "ChromiumBrowser", dependencies: ["WebBrowser", "NNetnavSupport", "HTTPTransport"]),
        // Bundled WebArena-style sites served by HTTPServer over SQLite.
        .target(name: "WebSites", dependencies: [
            "NNetnavSupport",
            "HTTPServer",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Task sets (WebArena config format) and their programmatic evaluators.
        .target(name: "WebTasks", dependencies: [
            "WebBrowser", "WebSites", "NNetnavSupport", "HTTPTransport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),

        // ChatModel abstraction, OpenAI-compatible client, response cache.
        .target(name: "LanguageModels", dependencies: [
            "HTTPTransport", "NNetnavSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Llama-architecture model files (GGUF, safetensors), tokenizer, CPU inference engine.
        .target(name: "LlamaModel", dependencies: ["CBLAS", "Kernels", "LanguageModels", "NNetnavSupport"],
                swiftSettings: optimized),
        // CPU fine-tuning of the policy model.
        .target(name: "Trainer", dependencies: ["Kernels", "LanguageModels", "LlamaModel", "NNetnavSupport"],
                swiftSettings: optimized),

        // Pruning the policy model: magnitude / Wanda / D-Pruner masks, structured FFN-channel shrinking,
        // instruction-conditioned channel masks (IFPruning) and PASER recovery-data selection.
        .target(name: "Pruning", dependencies: ["Kernels", "LanguageModels", "LlamaModel", "Trainer", "NNetnavSupport"],
                swiftSettings: optimized),

        // The NNetnav method: exploration, relabeling, pruning, demonstrations, export.
        .target(name: "Pipeline", dependencies: [
            "WebBrowser", "LanguageModels", "NNetnavSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // PostgreSQL as a shared crawl store and work queue, for crawls on many machines. The client is
        // libpq (Debian's libpq-dev, TLS through the system's OpenSSL): a Swift client package would
        // bring two BoringSSL copies to compile, several minutes of every from-scratch build.
        .target(name: "PostgresStore", dependencies: ["CLibPQ", "Pipeline", "LanguageModels", "NNetnavSupport"]),
        // `nnetnav view`: a read-only local web UI over a crawl store.
        .target(name: "CrawlViewer", dependencies: [
            "NNetnavSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            "HTTPServer",
        ]),
        // Model construction from a user-facing spec: the remote client or the in-process engine.
        .target(name: "Models", dependencies: ["LanguageModels", "LlamaModel", "NNetnavSupport"]),
        // Browsers over running sites, for exploration (the explorer's pools) and evaluation (task browsers).
        .target(name: "Environments", dependencies: [
            "Pipeline", "WebBrowser", "ChromiumBrowser", "WebSites", "WebTasks",
        ]),
        // Running a policy on task sets, and its reports.
        .target(name: "Evaluation", dependencies: [
            "Environments", "Pipeline", "WebTasks", "WebSites", "WebBrowser", "ChromiumBrowser", "LanguageModels",
            "NNetnavSupport", "LlamaModel",
        ]),
        // The end-to-end main job (`nnetnav run`): the stages above, one after another.
        .target(name: "MainJob", dependencies: [
            "Environments", "Evaluation", "Models", "Pipeline", "Trainer", "LlamaModel", "LanguageModels",
            "WebSites", "WebTasks", "ChromiumBrowser", "NNetnavSupport", "WebBrowser",
        ]),

        .target(name: "Experiment", dependencies: [
            "MainJob", "Environments", "Evaluation", "Pipeline", "Trainer", "LlamaModel", "LanguageModels",
            "WebSites", "WebTasks", "WebBrowser", "ChromiumBrowser", "Kernels", "NNetnavSupport",
        ]),

        .executableTarget(name: "nnetnav", dependencies: [
            "WebBrowser", "ChromiumBrowser", "WebSites", "WebTasks", "LanguageModels", "LlamaModel", "Trainer",
            "Pipeline", "Environments", "Models", "Evaluation", "MainJob", "NNetnavSupport", "HTTPTransport",
            "Kernels", "CrawlViewer", "Experiment", "PostgresStore", "Pruning",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "nnetnav-bench", dependencies: [
            "WebBrowser", "ChromiumBrowser", "WebSites", "LanguageModels", "LlamaModel", "Trainer", "Kernels",
            "NNetnavSupport", "HTTPTransport", "Pipeline", "Evaluation", "Environments", "WebTasks", "PostgresStore",
            "Pruning",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            "HTTPServer",
        ]),
        // Fuzzing harness (scripts/fuzz.sh): libFuzzer entry point or a seeded structure-aware generator.
        .executableTarget(name: "nnetnav-fuzz", dependencies: ["WebBrowser", "Pipeline", "LlamaModel", "NNetnavSupport"]),

        // What the test targets share: the one language-model test double, a loopback HTTP server,
        // and the checks that skip a test (visibly) when Chromium or the embedded model is absent.
        .target(name: "TestSupport", dependencies: [
            "LanguageModels", "Pipeline", "ChromiumBrowser", "NNetnavSupport", "LlamaModel", "WebSites",
            "HTTPServer",
        ], path: "Tests/TestSupport"),

        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "TestSupport"]),
        .testTarget(name: "WebBrowserTests", dependencies: [
            "WebBrowser", "HTTPTransport", "TestSupport",
            "HTTPServer",
        ]),
        .testTarget(name: "ChromiumBrowserTests", dependencies: ["ChromiumBrowser", "WebBrowser", "TestSupport"]),
        .testTarget(name: "WebSitesTests", dependencies: ["WebSites", "WebTasks", "WebBrowser", "NNetnavSupport"]),
        .testTarget(name: "LanguageModelsTests", dependencies: [
            "LanguageModels", "HTTPTransport", "TestSupport",
            "HTTPServer",
        ]),
        .testTarget(name: "LlamaModelTests", dependencies: ["LlamaModel", "Kernels", "LanguageModels", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer", "LlamaModel", "Kernels"]),
        .testTarget(name: "PruningTests", dependencies: ["Pruning", "Trainer", "LlamaModel", "Kernels", "LanguageModels",
                                                          "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "WebBrowser", "WebSites", "LanguageModels", "LlamaModel", "Environments", "ChromiumBrowser", "Evaluation",
            "NNetnavSupport", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            "HTTPServer",
        ]),
        .testTarget(name: "EnvironmentsTests", dependencies: [
            "Environments", "Pipeline", "WebTasks", "WebSites", "WebBrowser", "ChromiumBrowser", "TestSupport", "HTTPTransport",
            "HTTPServer",
        ]),
        .testTarget(name: "EvaluationTests", dependencies: [
            "Evaluation", "Environments", "Pipeline", "WebTasks", "WebSites", "WebBrowser", "ChromiumBrowser",
            "LanguageModels", "NNetnavSupport", "TestSupport",
            "HTTPServer",
        ]),
        .testTarget(name: "MainJobTests", dependencies: [
            "MainJob", "Pipeline", "LanguageModels", "NNetnavSupport", "TestSupport",
        ]),
        .testTarget(name: "NNetnavCLITests", dependencies: [
            "nnetnav", "LanguageModels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Needs a PostgreSQL server (scripts/test.sh starts one) and runs the built `nnetnav` as workers.
        .testTarget(name: "PostgresStoreTests", dependencies: [
            "nnetnav", "PostgresStore", "Pipeline", "LanguageModels", "NNetnavSupport", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            "HTTPServer",
        ]),
        .testTarget(name: "NNetnavSupportTests", dependencies: ["NNetnavSupport"]),
        .testTarget(name: "ExperimentTests", dependencies: [
            "Experiment", "Evaluation", "MainJob", "Pipeline", "WebSites", "WebTasks", "NNetnavSupport", "TestSupport",
        ]),
        .testTarget(name: "CrawlViewerTests", dependencies: [
            "CrawlViewer", "Pipeline", "NNetnavSupport", "ChromiumBrowser", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
