import Foundation
import LlamaModel
import Pipeline
import WebBrowser

/// The code paths fed hostile input: what a page, a model or a model file can hand the project.
/// Each `run` must return normally on any input; a crash (trap, abort, sanitizer report) is a bug.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// HTML text → DOM → accessibility tree → rendered observation windows.
    case html
    /// A style sheet → cascade over a small page (`StyleCascade`), and the text as a selector list.
    case css
    /// The policy's free-text answer and the action string → `BrowserAction`.
    case action
    /// The explorer modules' answers (state change, label, score, rationale, stop).
    case modules
    /// A GGUF file → header, config, tokenizer, tensor directory, dequantised small tensors.
    case gguf
    /// A safetensors file → header, tensor directory, decoded tensors.
    case safetensors

    /// Largest input worth feeding: parsers are linear, so bigger inputs only slow the search down.
    /// (HTML stays below the nesting depths that belong to the deep-DOM work, issue 14 item 1.)
    var maxInputBytes: Int {
        switch self {
        case .html, .css: return 16 << 10
        case .action, .modules: return 4 << 10
        case .gguf, .safetensors: return 64 << 10
        }
    }

    func run(_ bytes: [UInt8], scratch: URL) {
        switch self {
        case .html:
            let text = String(decoding: bytes, as: UTF8.self)
            let document = HTMLDocument.parse(html: text, url: "http://127.0.0.1:1/page")
            let tree = AccessibilityTree.build(from: document)
            let rendered = ObservationRenderer.render(tree)
            for window in 0..<min(rendered.windowCount(size: 40), 3) { _ = rendered.text(window: window, size: 40) }
            _ = HTMLDocument.parse(Data(bytes), url: "http://127.0.0.1:1/page")
        case .css:
            let text = String(decoding: bytes, as: UTF8.self)
            let page = "<html><head><style>\(text)</style></head><body><div id=a class='a b' hidden>"
                + "<p class=a lang=en>x<span style='visibility:visible'>y</span></p><ul><li>1<li class=b>2</ul></div></body></html>"
            let tree = AccessibilityTree.build(from: HTMLDocument.parse(html: page, url: "http://127.0.0.1:1/page"))
            _ = ObservationRenderer.render(tree).text(window: 0, size: 40)
            if let selectors = CSSSelectorList(text) { _ = selectors.select(in: tree.document.root) }
        case .action:
            let text = String(decoding: bytes, as: UTF8.self)
            let action = ActionParser.parse(response: text)
            _ = ActionParser.parse(action: text)
            _ = ActionParser.parse(action: "\(action)")
        case .modules:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = ModuleOutputParsing.stateChange(text)
            _ = ModuleOutputParsing.label(text)
            _ = ModuleOutputParsing.label(text, maxWords: 3, acceptUntagged: true)
            _ = ModuleOutputParsing.score(text)
            _ = ModuleOutputParsing.rationale(text, executed: ActionParser.parse(action: "click [3]"))
            _ = ModuleOutputParsing.stopAction(text)
            _ = ModuleOutputParsing.tagged("Output:", in: text)
        case .gguf:
            guard write(bytes, to: scratch), let file = try? GGUFFile(url: scratch) else { return }
            if let config = try? LlamaConfig(gguf: file) {
                _ = try? LlamaWeights.checkTensors(of: file, for: config)
            }
            _ = try? BPETokenizer(gguf: file)
            for info in file.tensors where info.elementCount <= 1 << 16 { _ = try? file.floats(info.name) }
        case .safetensors:
            guard write(bytes, to: scratch), let file = try? SafetensorsFile(url: scratch) else { return }
            for info in file.tensors where info.elementCount <= 1 << 16 { _ = try? file.floats(info.name) }
        }
    }

    private func write(_ bytes: [UInt8], to url: URL) -> Bool {
        (try? Data(bytes).write(to: url)) != nil
    }
}
