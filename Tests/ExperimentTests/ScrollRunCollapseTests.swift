import XCTest
@testable import Experiment

final class ScrollRunCollapseTests: XCTestCase {
    func row(_ id: String, _ action: String) -> String {
        #"{"dataset":"t","id":"\#(id)","messages":[{"role":"user","content":"page"},{"role":"assistant","content":"Let's think step-by-step. In summary, the next action I will perform is ```\#(action)```"}]}"#
    }

    func testOnlyTheFirstScrollOfARunIsKeptWhateverTheLineOrder() throws {
        let lines = [row("0:1:3", "scroll [down]"), row("0:1:0", "click [4]"), row("0:1:1", "scroll [down]"),
                     row("0:1:2", "scroll [down]"), row("0:1:4", "click [9]"), row("1:1:0", "scroll [down]"),
                     row("0:1:5", "scroll [down]")]
        let kept = try ScrollRunCollapse.keep(lines)
        XCTAssertEqual(kept, [lines[1], lines[2], lines[4], lines[5], lines[6]],
                       "steps 2 and 3 continue the run opened at step 1; other demonstrations' scrolls are their own")
    }
}
