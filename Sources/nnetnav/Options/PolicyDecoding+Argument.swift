import ArgumentParser
import Evaluation

/// `--decoding free|choice|reasoned` (the experiment; `eval` adds `auto` with `DecodingChoice`).
extension PolicyDecoding: ExpressibleByArgument {}
