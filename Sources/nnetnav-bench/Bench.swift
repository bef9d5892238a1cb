import ArgumentParser

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnetnav-bench",
        abstract: "Speed measurements, printed side by side with a yardstick where one exists.",
        discussion: """
        Run in release mode: `swift run -c release nnetnav-bench <name>`. OpenBLAS on this machine kind \
        is pinned to its AVX2 kernel by OPENBLAS_CORETYPE; to measure the AVX-512 kernel run \
        `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE swift run -c release nnetnav-bench <name>`. \
        Every numeric benchmark prints the kernel that ran.
        """,
        subcommands: [BrowserBench.self, ConformanceBench.self, EngineBench.self, EngineSlotsBench.self, TrainerBench.self, ChromiumBench.self,
                      AgreementBench.self,
                      PipelineOverheadBench.self, DecodeBatchingBench.self, CrawlScalingBench.self, PruningBench.self]
    )
}
