import ArgumentParser

extension TrainCommand {
    /// Values out of range are errors naming the option (issue 13, item 12), before any file is read:
    /// a negative step count or batch size used to trap or train nothing without a word.
    func validate() throws {
        func positive<T: Comparable & Numeric>(_ option: String, _ value: T) throws {
            guard value > 0 else { throw ValidationError("\(option) must be positive, not \(value)") }
        }
        func nonNegative<T: Comparable & Numeric>(_ option: String, _ value: T) throws {
            guard value >= 0 else { throw ValidationError("\(option) must be 0 or more, not \(value)") }
        }
        try positive("--steps", steps)
        try positive("--batch-size", batchSize)
        try positive("--seq-len", seqLen)
        try positive("--grad-accum", gradAccum)
        try positive("--lr", lr)
        try nonNegative("--warmup", warmup)
        guard (0...1).contains(minLrFraction) else { throw ValidationError("--min-lr-fraction must be between 0 and 1, not \(minLrFraction)") }
        try nonNegative("--weight-decay", weightDecay)
        try nonNegative("--clip", clip)
        try positive("--lora-rank", loraRank)
        try positive("--lora-alpha", loraAlpha)
        try positive("--layers", layers)
        try positive("--dim", dim)
        try positive("--heads", heads)
        try positive("--kv-heads", kvHeads)
        if let hiddenDim { try positive("--hidden-dim", hiddenDim) }
        try nonNegative("--checkpoint-every", checkpointEvery)
        guard (0..<1).contains(valFraction) else { throw ValidationError("--val-fraction must be at least 0 and below 1, not \(valFraction)") }
        try nonNegative("--eval-decode", evalDecode)
        try positive("--threads", threads)
    }
}
