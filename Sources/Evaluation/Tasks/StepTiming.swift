import Foundation
import LanguageModels

/// Where one policy step's seconds went: the model's prompt processing and answer (split only
/// for the in-process model, which measures it; a remote call is all `modelOther`), and the
/// browser carrying out the action and observing the page.
public struct StepTiming: Sendable, Codable, Hashable {
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    /// Model call time not accounted for by prefill and decode: waiting for the model (another
    /// episode's call, a remote server), prompt rendering, tokenizing.
    public var modelOtherSeconds: Double
    public var browserSeconds: Double

    public init(prefillSeconds: Double = 0, decodeSeconds: Double = 0, modelOtherSeconds: Double = 0, browserSeconds: Double = 0) {
        self.prefillSeconds = prefillSeconds
        self.decodeSeconds = decodeSeconds
        self.modelOtherSeconds = modelOtherSeconds
        self.browserSeconds = browserSeconds
    }

    /// A decision that took `modelSeconds` of wall time, of which the model measured `measured`.
    init(modelSeconds: Double, measured: ModelTiming?, browserSeconds: Double) {
        let timing = measured ?? ModelTiming()
        self.init(prefillSeconds: timing.prefillSeconds, decodeSeconds: timing.decodeSeconds,
                  modelOtherSeconds: max(0, modelSeconds - timing.prefillSeconds - timing.decodeSeconds),
                  browserSeconds: browserSeconds)
    }

    public var totalSeconds: Double { prefillSeconds + decodeSeconds + modelOtherSeconds + browserSeconds }

    public static func + (a: StepTiming, b: StepTiming) -> StepTiming {
        StepTiming(prefillSeconds: a.prefillSeconds + b.prefillSeconds, decodeSeconds: a.decodeSeconds + b.decodeSeconds,
                   modelOtherSeconds: a.modelOtherSeconds + b.modelOtherSeconds,
                   browserSeconds: a.browserSeconds + b.browserSeconds)
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
