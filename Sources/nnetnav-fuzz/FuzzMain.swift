import Foundation

// Two engines over the same targets (see scripts/fuzz.sh):
// - libFuzzer: `swift build --sanitize=fuzzer -Xswiftc -DLIBFUZZER`; libFuzzer supplies main() and
//   calls LLVMFuzzerTestOneInput; the target is named by NNETNAV_FUZZ_TARGET.
// - seeded: an ordinary build; this main() feeds `InputGenerator` inputs for a number of seconds.

let scratchFile: URL = {
    let dir = ProcessInfo.processInfo.environment["NNETNAV_FUZZ_SCRATCH"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory
    return dir.appendingPathComponent("nnetnav-fuzz-\(getpid()).bin")
}()

#if LIBFUZZER
let libFuzzerTarget: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["NNETNAV_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        fatalError("set NNETNAV_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    libFuzzerTarget.run(Array(bytes.prefix(libFuzzerTarget.maxInputBytes)), scratch: scratchFile)
    return 0
}
#else
@main
struct SeededFuzzer {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 3, let target = FuzzTarget(rawValue: args[1]), let seconds = Double(args[2]) else {
            FileHandle.standardError.write(Data("""
                usage: nnetnav-fuzz TARGET SECONDS [SEED] [--replay FILE] [--save-last FILE]
                targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))

                """.utf8))
            exit(2)
        }
        if let i = args.firstIndex(of: "--replay"), i + 1 < args.count {
            let bytes = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: args[i + 1]))) ?? Data())
            target.run(bytes, scratch: scratchFile)
            print("replayed \(bytes.count) bytes: no crash")
            return
        }
        let seed = args.count > 3 ? UInt64(args[3]) ?? 1 : 1
        // The input about to run is kept on disk, so a crash leaves its reproducer behind.
        let lastInput = args.firstIndex(of: "--save-last").flatMap { $0 + 1 < args.count ? URL(fileURLWithPath: args[$0 + 1]) : nil }
        var generator = InputGenerator(seed: seed)
        let started = Date()
        var runs = 0
        while Date().timeIntervalSince(started) < seconds {
            let input = generator.input(for: target)
            if let lastInput { try? Data(input).write(to: lastInput) }
            target.run(input, scratch: scratchFile)
            runs += 1
        }
        try? FileManager.default.removeItem(at: scratchFile)
        print(String(format: "target %@ seed %llu: %d inputs in %.0f s, no crash", target.rawValue, seed, runs,
                     Date().timeIntervalSince(started)))
    }
}
#endif
