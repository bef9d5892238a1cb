import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import NNetnavSupport
import Trainer

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune the policy model on exported demonstrations.",
        discussion: """
        Trains a Llama-architecture model on CPU (OpenBLAS) on chat-format JSONL rows \
        ({"messages": [...]}, one row per step of a demonstration), with the loss on assistant \
        tokens only. Rows are packed into --seq-len sequences; packed demonstrations restart their \
        positions and cannot attend to each other. A prompt too long for --seq-len loses tokens from \
        its middle; the assistant target is kept.

        Writes to --output: model.gguf (with tokenizer, for `nnetnav eval`), metrics.jsonl, loss.png, \
        with --eval eval.json, and checkpoint/ (replaced as a whole, so a kill never leaves half a \
        checkpoint): model.safetensors (Hugging Face names), optimizer.safetensors, trainer_state.json, \
        adapter.safetensors (LoRA) and manifest.json. --resume refuses a checkpoint whose files do not \
        belong together or that was trained with other options or data.

        Examples:
          nnetnav train --data runs/demos.jsonl --steps 200 --lora
          nnetnav train --data runs/demos.jsonl --scratch --layers 4 --dim 256 --steps 300
          nnetnav train --data runs/demos.jsonl --output runs/train --resume
        """)

    @Option(help: "Exported demonstrations (JSONL chat rows).")
    var data: String

    @Option(help: "Starting model: a GGUF or safetensors Llama checkpoint. Default: the embedded SmolLM2-135M-Instruct.")
    var model: String?

    @Flag(help: "Start from a randomly initialised model of the shape given by --layers/--dim/... (tokenizer from --model).")
    var scratch = false
    @Option(help: "Scratch model: decoder blocks.") var layers = 4
    @Option(help: "Scratch model: width.") var dim = 256
    @Option(help: "Scratch model: attention heads.") var heads = 4
    @Option(help: "Scratch model: key/value heads (grouped-query attention).") var kvHeads = 2
    @Option(help: "Scratch model: SwiGLU hidden width (default 8/3·dim rounded to 64).") var hiddenDim: Int?

    @Option(help: "Output directory. Default: runs/train-<time>.")
    var output: String?

    @Option(help: "Optimizer steps.") var steps = 100
    @Option(help: "Packed sequences per micro-batch.") var batchSize = 4
    @Option(name: [.customLong("seq-len"), .customLong("max-seq-len")], help: "Tokens per sequence.") var seqLen = 512
    @Option(help: "Micro-batches per optimizer step (gradient accumulation).") var gradAccum = 1
    @Option(help: "Peak learning rate.") var lr: Float = 1e-4
    @Option(help: "Linear warm-up steps.") var warmup = 10
    @Option(help: "Final learning rate as a fraction of the peak (cosine decay).") var minLrFraction: Float = 0.1
    @Option(help: "AdamW decoupled weight decay (matrices only).") var weightDecay: Float = 0
    @Option(help: "Clip the global gradient norm to this (0: off).") var clip: Float = 1
    @Option(help: "Random seed (initialisation, data order, validation split).") var seed: UInt64 = 42
    @Option(name: .customLong("action-weight"), help: ActionWeightArgument.help) var actionWeights: [ActionWeightArgument] = []

    @Flag(help: "Train low-rank adapters on the attention projections instead of all weights.") var lora = false
    @Option(help: "LoRA rank.") var loraRank = 8
    @Option(help: "LoRA alpha (scale = alpha / rank).") var loraAlpha: Float = 16
    @Flag(help: "Also put adapters on the MLP (gate, up, down).") var loraMlp = false

    @Flag(help: "Recompute each block's activations in the backward (less memory, ~30% more compute). Switched on automatically when the run would not fit in memory.")
    var recompute = false
    @Option(help: "What the step stores in bf16: 'bf16' keeps the activations saved for the backward, and a LoRA run's frozen base weights, in bf16 (about 40% less activation memory; arithmetic, trained weights, gradients and AdamW stay fp32). 'fp32': everything fp32.")
    var precision: TrainingPrecision = .fp32
    @Option(help: "Memory the run may use, in GiB (default: what the system reports available). A setting that cannot fit is refused before training starts.")
    var memoryBudget: Double?
    @Option(help: "Save a checkpoint every N steps (0: only at the end).") var checkpointEvery = 0
    @Flag(help: "Continue the run in --output from its last checkpoint.") var resume = false
    @Flag(help: "Hold out a validation split; report its loss and next-action exact match (greedy decoding).") var eval = false
    @Option(help: "Fraction of rows held out for validation (0: train on all; --eval then has nothing to report).") var valFraction = 0.1
    @Option(help: "Validation rows to decode for exact match.") var evalDecode = 20
    @Option(help: "Cores to train on (the trainer splits its GEMMs and attention over them).") var threads = 2

    func run() async throws {
        BLASInfo.setThreads(threads)
        let layout = ProjectLayout.current
        let modelURL = model.map { URL(fileURLWithPath: $0) } ?? layout.defaultModelFile
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw ValidationError("model file not found: \(modelURL.path)")
        }
        let tokenizerURL = modelURL.pathExtension == "gguf" ? modelURL : layout.defaultModelFile
        var options = TrainingOptions()
        options.batchSize = batchSize
        options.sequenceLength = seqLen
        options.gradientAccumulation = gradAccum
        options.steps = steps
        options.seed = seed
        options.recompute = recompute
        options.precision = precision
        options.actionWeights = ActionWeightArgument.table(actionWeights)
        options.optimizer.learningRate = lr
        options.optimizer.warmupSteps = warmup
        options.optimizer.totalSteps = steps
        options.optimizer.minLRFraction = minLrFraction
        options.optimizer.weightDecay = weightDecay
        options.optimizer.gradientClip = clip
        if lora {
            options.lora = LoRAConfig(rank: loraRank, alpha: loraAlpha,
                                      targets: LoRATarget.attention + (loraMlp ? [.gate, .up, .down] : []))
        }
        let source: ModelSource
        if scratch {
            let vocab = try BPETokenizer(gguf: GGUFFile(url: tokenizerURL)).vocabularySize
            let hidden = hiddenDim ?? ((dim * 8 / 3 + 63) / 64 * 64)
            guard dim % heads == 0, heads % kvHeads == 0, (dim / heads) % 2 == 0 else {
                throw ValidationError("--dim must split into --heads even-sized heads, and --heads into --kv-heads groups")
            }
            source = .scratch(LlamaConfig(vocabSize: vocab, dim: dim, hiddenDim: hidden, layerCount: layers, headCount: heads,
                                          kvHeadCount: kvHeads, contextLength: max(seqLen, 2048), ropeTheta: 10_000))
        } else {
            source = .file(modelURL)
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let outputURL = output.map { URL(fileURLWithPath: $0) } ?? layout.runs.appendingPathComponent("train-\(stamp)")
        var run = TrainingRun(data: URL(fileURLWithPath: data), model: source, tokenizerFile: tokenizerURL,
                              output: outputURL, options: options)
        run.checkpointEvery = checkpointEvery
        run.resume = resume
        run.evaluate = eval
        run.validationFraction = valFraction
        run.decodeLimit = evalDecode
        run.threads = threads
        if let memoryBudget {
            guard memoryBudget > 0 else { throw ValidationError("--memory-budget must be positive (GiB)") }
            run.memoryBudget = Int(memoryBudget * Double(1 << 30))
        }
        let summary = try run.run()
        print("trained \(summary.steps) steps on \(summary.trainRows) packed rows, \(summary.trainableParameters) trainable parameters, precision \(summary.precision)")
        if let f = summary.firstLoss, let l = summary.lastLoss {
            print(String(format: "loss %.4f → %.4f, %.0f tokens/s, %.1f s", f, l, summary.tokensPerSecond, summary.seconds))
        }
        if let e = summary.evaluation {
            print(String(format: "validation loss %.4f on %d rows; next-action exact match %d/%d = %.1f%%",
                         e.validationLoss, e.validationRows, e.exactMatches, e.decodedRows, 100 * e.exactMatchAccuracy))
        }
        print("outputs in \(outputURL.path)")
    }
}
