import ArgumentParser
import Trainer

/// `nnetnav train --precision fp32|bf16`.
extension TrainingPrecision: ExpressibleByArgument {}
