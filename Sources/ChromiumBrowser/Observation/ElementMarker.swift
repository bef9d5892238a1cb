import Foundation

/// Persistent element ids, the way BrowserGym keeps its `bid`s: injected JavaScript writes a
/// `data-nnetnav-id` attribute on every element (through same-origin frames and shadow roots)
/// the first time it sees it, so an element keeps its id for as long as it lives in the page.
///
/// Text nodes cannot carry attributes; they get ids here, keyed by Chromium's backend node id,
/// from the same counter: each marking pass is told the smallest id it may hand out next.
struct ElementMarker: Sendable {
    static let attribute = "data-nnetnav-id"

    /// What the marking script reports back about the page.
    struct PageState: Decodable, Sendable {
        let next: Int
        let fresh: Bool
        let title: String
        let url: String
        let scrollY: Double
        let width: Double
        let height: Double
        let contentHeight: Double
    }

    private var textIDs: [Int: Int] = [:]
    private var next = 1

    /// The marking expression for this pass.
    func script() -> String {
        """
        (() => {
          const w = window, attr = '\(Self.attribute)';
          let fresh = false;
          if (typeof w.__nnetnavNextID !== 'number') { w.__nnetnavNextID = 1; fresh = true; }
          if (!fresh && w.__nnetnavNextID < \(next)) w.__nnetnavNextID = \(next);
          const seen = new Set();
          const mark = (root) => {
            for (const el of root.querySelectorAll('*')) {
              const id = el.getAttribute(attr);
              // Cloned nodes carry their original's id: give the copy its own.
              if (id === null || seen.has(id)) el.setAttribute(attr, String(w.__nnetnavNextID++));
              seen.add(el.getAttribute(attr));
              if (el.shadowRoot) mark(el.shadowRoot);
              if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
                try { if (el.contentDocument) mark(el.contentDocument); } catch (e) {}
              }
            }
          };
          mark(document);
          const root = document.scrollingElement || document.documentElement;
          return { next: w.__nnetnavNextID, fresh, title: document.title, url: location.href,
                   scrollY: w.scrollY, width: w.innerWidth, height: w.innerHeight,
                   contentHeight: Math.max(root ? root.scrollHeight : 0, w.innerHeight) };
        })()
        """
    }

    /// Takes the page's report; a fresh document forgets the old text ids.
    mutating func update(with state: PageState) {
        if state.fresh { textIDs.removeAll() ; next = state.next }
        next = max(next, state.next)
    }

    /// The id of a node without an element attribute (text, pseudo content), stable per backend node.
    mutating func textID(backendNodeID: Int?) -> Int {
        if let backendNodeID, let id = textIDs[backendNodeID] { return id }
        let id = next
        next += 1
        if let backendNodeID { textIDs[backendNodeID] = id }
        return id
    }
}
