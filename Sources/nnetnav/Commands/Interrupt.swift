import Foundation

/// Ctrl-C during a crawl or an evaluation: the first cancels the work (steps in flight stop at their
/// next step; what finished is already on disk, so a rerun resumes), a second exits at once.
enum Interrupt {
    static func cancelOnInterrupt<Success: Sendable>(_ task: Task<Success, any Error>) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let interrupts = InterruptCount()
        source.setEventHandler {
            if interrupts.increment() > 1 { Foundation.exit(130) }
            FileHandle.standardError.write(Data("\nstopping after the steps in flight; Ctrl-C again to quit now\n".utf8))
            task.cancel()
        }
        source.resume()
        return source
    }
}

/// The machine's load average and core count, printed with timings: on a shared machine a
/// figure means little without them.
struct MachineLoad {
    var oneMinute: Double
    var cores: Int

    static func current() -> MachineLoad {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return MachineLoad(oneMinute: Double(text.split(separator: " ").first ?? "") ?? -1,
                           cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    var text: String { oneMinute < 0 ? "load unknown" : String(format: "load %.2f on %d cores", oneMinute, cores) }
}
