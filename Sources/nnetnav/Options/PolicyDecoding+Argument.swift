import ArgumentParser
import Evaluation

/// `--decoding free|choice` (the experiment; `eval` adds `auto` with `DecodingChoice`).
extension PolicyDecoding: ExpressibleByArgument {}
