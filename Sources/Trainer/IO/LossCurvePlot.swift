import Foundation
import NNetnavSupport

/// `loss.png`: training (and validation) loss against step, with a title, labelled axes, tick values
/// and a legend, drawn by the same chart layout as the HTML reports' SVG.
public enum LossCurvePlot {
    public static func render(train: [(step: Int, loss: Float)], validation: [(step: Int, loss: Float)] = [],
                              width: Int = 640, height: Int = 360) -> Data {
        var series = [SVGChart.Series(name: "train", points: train.map { (Double($0.step), Double($0.loss)) })]
        if !validation.isEmpty {
            series.append(SVGChart.Series(name: "validation", points: validation.map { (Double($0.step), Double($0.loss)) }))
        }
        return RasterChart.line(title: "Training loss", xLabel: "optimizer step", yLabel: "loss (nats/token)",
                                series: series, width: width, height: height)
    }

    /// The same figure as SVG, for HTML reports.
    public static func svg(train: [(step: Int, loss: Float)], validation: [(step: Int, loss: Float)] = []) -> String {
        var series = [SVGChart.Series(name: "train", points: train.map { (Double($0.step), Double($0.loss)) })]
        if !validation.isEmpty {
            series.append(SVGChart.Series(name: "validation", points: validation.map { (Double($0.step), Double($0.loss)) }))
        }
        return SVGChart.line(title: "Training loss", xLabel: "optimizer step", yLabel: "loss (nats/token)", series: series)
    }
}
