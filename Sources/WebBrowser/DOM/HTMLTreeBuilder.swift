import CLibXML2

/// Builds our DOM straight from libxml2's HTML parser events (SAX), without letting libxml2
/// build its own tree first: that tree was allocated node by node, walked once to copy it and
/// freed, which cost more than the parse itself on a 200 KB page.
///
/// libxml2 still does all of the HTML work (implied `html`/`head`/`body`, auto-closing,
/// recovery from broken markup, entities, charset sniffing). What its tree builder did on top
/// is reproduced here: adjacent text runs merge into one text node (a comment splits them),
/// whitespace is kept, and a boolean attribute written without a value gets its own name.
/// Content after `</html>` goes back into the page's body, as browsers do.
///
/// The builder is a struct reached through a raw pointer from the C callbacks: as a class, every
/// access to its state from a callback went through Swift's dynamic exclusivity checks.
struct HTMLTreeBuilder {
    private struct Frame {
        let element: HTMLElement
        var children: [HTMLNode] = []
        /// An element continued after it had closed, or one attached to its parent when it opened
        /// (at the depth cap): already in its parent's children.
        var reopened = false
    }

    /// Chromium's HTML parser nests at most this many open elements (`kMaximumHTMLParserDOMTreeDepth`):
    /// anything opened deeper is attached to the element at this depth instead, as a sibling of
    /// the elements opened before it. Doing the same keeps the DOM, the accessibility tree and the
    /// observation the shape Chromium gives, and bounds every walk over them.
    static let maximumDepth = 512
    /// Elements placed at the depth cap instead of where the markup put them.
    private(set) var flattenedNodes = 0

    private(set) var nextIndex = 0
    private var stack: [Frame] = []
    /// Bytes of a text node of the innermost open element still being received (libxml2
    /// delivers text in pieces: around entities, and every 1000 bytes). Any other event ends it.
    private var pendingText: [UInt8] = []
    private var pendingIndex = 0
    private(set) var root: HTMLElement?
    /// Open elements that started outside any `<html>` (not produced by libxml2, which always
    /// implies one; kept as a guard), which are skipped.
    private var ignoredDepth = 0
    /// Void elements (HTML's `<source>`, `<track>`, `<wbr>`...) that libxml2, which knows HTML 4's
    /// elements only, keeps open around what follows: closed here at once, their later end
    /// events are swallowed, so `<picture><source><img>` keeps the image in the picture.
    private var voidsLibXMLKeepsOpen: [String] = []
    private var names = InternedNames()

    /// What a parse produces: the `<html>` element (synthesised for input without one), the
    /// number of nodes numbered, and the lookups collected on the way.
    struct Result {
        var root: HTMLElement
        var nodeCount: Int
        /// The first element with each id, as `getElementById` finds it.
        var elementsByID: [String: HTMLElement]
        var firstTitle: HTMLElement?
        /// Nodes attached at `maximumDepth` instead of deeper (0 for any sane page).
        var flattenedNodes: Int
    }

    private var elementsByID: [String: HTMLElement] = [:]
    private var firstTitle: HTMLElement?

    /// libxml2 sets up its globals (the dictionary mutex among them) lazily and without locking
    /// unless `xmlInitParser` ran first; `htmlReadMemory` used to call it for us. Two site
    /// instances parsing their first pages at once deadlocked in `xmlDictCreate` without this.
    private static let libxml2Initialized: Void = xmlInitParser()

    static func parse(_ bytes: UnsafeRawBufferPointer, url: String, charset: String?) -> Result {
        _ = libxml2Initialized
        let builder = UnsafeMutablePointer<HTMLTreeBuilder>.allocate(capacity: 1)
        builder.initialize(to: HTMLTreeBuilder())
        defer {
            builder.deinitialize(count: 1)
            builder.deallocate()
        }
        if let base = bytes.baseAddress, bytes.count > 0, let context = htmlNewParserCtxt() {
            var handler = xmlSAXHandler()
            handler.startElement = { context, name, attributes in
                HTMLTreeBuilder.from(context).pointee.startElement(name, attributes)
            }
            handler.endElement = { context, name in HTMLTreeBuilder.from(context).pointee.endElement(name) }
            handler.characters = { context, bytes, count in HTMLTreeBuilder.from(context).pointee.text(bytes, count) }
            handler.cdataBlock = { context, bytes, count in HTMLTreeBuilder.from(context).pointee.text(bytes, count) }
            // libxml2's own tree keeps "ignorable" whitespace too (blanks are kept by default).
            handler.ignorableWhitespace = { context, bytes, count in HTMLTreeBuilder.from(context).pointee.text(bytes, count) }
            handler.comment = { context, _ in HTMLTreeBuilder.from(context).pointee.comment() }
            context.pointee.sax.pointee = handler
            context.pointee._private = UnsafeMutableRawPointer(builder)
            let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
                                | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
            // Returns the document libxml2 built, which is none: every tree callback is ours.
            let document = htmlCtxtReadMemory(context, base.assumingMemoryBound(to: CChar.self),
                                              Int32(clamping: bytes.count), url, charset, options)
            if let document { xmlFreeDoc(document) }
            htmlFreeParserCtxt(context)
        }
        builder.pointee.finish()
        let root = builder.pointee.root ?? HTMLElement(tag: "html", attributes: [], index: builder.pointee.take())
        return Result(root: root, nodeCount: builder.pointee.nextIndex, elementsByID: builder.pointee.elementsByID,
                      firstTitle: builder.pointee.firstTitle, flattenedNodes: builder.pointee.flattenedNodes)
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<HTMLTreeBuilder> {
        let parser = context!.assumingMemoryBound(to: htmlParserCtxt.self)
        return parser.pointee._private.assumingMemoryBound(to: HTMLTreeBuilder.self)
    }

    mutating func take() -> Int {
        defer { nextIndex += 1 }
        return nextIndex
    }

    // MARK: events

    private mutating func startElement(_ tagName: UnsafePointer<xmlChar>?, _ pairs: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        flushText()
        let (tag, facts) = names.tag(tagName)
        if let root, ignoredDepth == 0 {
            // After `</html>` libxml2 opens a second html and puts content in it: continue the
            // existing root, and put the content in its body, as browsers do.
            if stack.isEmpty, tag == "html" {
                stack.append(Frame(element: root, children: root.children, reopened: true))
                return
            }
            if stack.count == 1, stack[0].reopened, let body = root.elementChildren.last(where: { $0.tag == "body" }) {
                stack.append(Frame(element: body, children: body.children, reopened: true))
                if tag == "body" { return }
            }
        }
        if stack.isEmpty && root != nil || ignoredDepth > 0 {
            ignoredDepth += 1
            return
        }
        var attributes: [HTMLAttribute] = []
        if var pair = pairs {
            while let attributeName = pair.pointee {
                let name = names.attribute(attributeName)
                var value = ""
                if let raw = pair.advanced(by: 1).pointee {
                    value = String(cString: raw)
                } else if htmlIsBooleanAttr(attributeName) != 0 {
                    value = name  // `<input disabled>` reads as disabled="disabled"
                }
                attributes.append(HTMLAttribute(name: name, value: value))
                pair = pair.advanced(by: 2)
            }
        }
        let element = HTMLElement(tag: tag, attributes: attributes, index: take(), facts: facts)
        if let id = element.id, elementsByID[id] == nil { elementsByID[id] = element }
        if firstTitle == nil, tag == "title" { firstTitle = element }
        if stack.isEmpty {
            root = element
            stack.append(Frame(element: element))
            return
        }
        if stack.count >= Self.maximumDepth {
            // At the cap the element goes into the capped element at once, in document order; the
            // elements inside it go there too, so it keeps only its own text.
            let capped = Self.maximumDepth - 1
            if stack.count > Self.maximumDepth { flattenedNodes += 1 }
            element.parent = stack[capped].element
            stack[capped].children.append(.element(element))
            stack.append(Frame(element: element, reopened: true))
            return
        }
        element.parent = stack[stack.count - 1].element
        stack.append(Frame(element: element))
        if Self.unknownVoidTags.contains(tag) {
            voidsLibXMLKeepsOpen.append(tag)
            endElement()
        }
    }

    /// HTML's void elements that libxml2's element table does not close by itself.
    static let unknownVoidTags: Set<String> = {
        let void = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
                    "keygen", "param"]
        return Set(void.filter { tag in
            guard let description = htmlTagLookup(tag) else { return true }
            return description.pointee.empty == 0
        })
    }()

    private mutating func endElement(_ name: UnsafePointer<xmlChar>?) {
        if let last = voidsLibXMLKeepsOpen.last, let name, names.tag(name).0 == last {
            voidsLibXMLKeepsOpen.removeLast()
            return
        }
        endElement()
    }

    private mutating func endElement() {
        if ignoredDepth > 0 {
            ignoredDepth -= 1
            return
        }
        guard !stack.isEmpty else { return }
        flushText()
        let frame = stack.removeLast()
        frame.element.children = frame.children
        if !stack.isEmpty && !frame.reopened { stack[stack.count - 1].children.append(.element(frame.element)) }
    }

    private mutating func comment() {
        // A comment ends the text node before it: text on either side stays two nodes.
        flushText()
    }

    private mutating func text(_ bytes: UnsafePointer<xmlChar>?, _ count: Int32) {
        guard let bytes, count > 0, !stack.isEmpty, ignoredDepth == 0 else { return }
        let chunk = UnsafeBufferPointer(start: bytes, count: Int(count))
        if pendingText.isEmpty { pendingIndex = take() }
        pendingText.append(contentsOf: chunk)
    }

    private mutating func flushText() {
        // Text stays in its element even past the cap: Chromium moves only elements (AttachLater).
        guard let top = stack.indices.last, !pendingText.isEmpty else { return }
        let text = String(decoding: pendingText, as: UTF8.self)
        stack[top].children.append(.text(HTMLText(index: pendingIndex, text: text)))
        pendingText.removeAll(keepingCapacity: true)
    }

    private mutating func finish() {
        while !stack.isEmpty { endElement() }
    }
}

/// Tag and attribute names by the address libxml2 interned them at (its parser dictionary gives
/// one pointer per distinct name for the whole parse), each converted and lower-cased once. An
/// open-addressing table on the address: a Swift dictionary hashed every lookup with SipHash.
struct InternedNames {
    private struct Slot {
        var key: UInt = 0
        var name = ""
        /// Nil until the name is seen as a tag.
        var facts: TagFacts?
    }

    private var slots = [Slot](repeating: Slot(), count: 256)
    private var count = 0

    /// The tag's name and what the tag alone decides.
    mutating func tag(_ pointer: UnsafePointer<xmlChar>?) -> (String, TagFacts) {
        guard let pointer else { return ("", TagFacts(tag: "")) }
        let slot = find(pointer, isTag: true)
        return (slots[slot].name, slots[slot].facts ?? TagFacts(tag: slots[slot].name))
    }

    mutating func attribute(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return slots[find(pointer, isTag: false)].name
    }

    private mutating func find(_ pointer: UnsafePointer<xmlChar>, isTag: Bool) -> Int {
        // Tags and attributes sharing a spelling share the slot; a tag's traits are filled in
        // the first time the name is seen as a tag.
        let key = UInt(bitPattern: pointer)
        let mask = slots.count - 1
        var index = Self.hash(key) & mask
        while slots[index].key != 0 {
            if slots[index].key == key {
                if isTag && slots[index].facts == nil { slots[index].facts = TagFacts(tag: slots[index].name) }
                return index
            }
            index = (index + 1) & mask
        }
        let name = String(cString: pointer).lowercased()
        slots[index] = Slot(key: key, name: name, facts: isTag ? TagFacts(tag: name) : nil)
        count += 1
        if count * 2 > slots.count {
            grow()
            return find(pointer, isTag: isTag)
        }
        return index
    }

    /// Fibonacci hashing of the address (its low bits are alignment zeros).
    private static func hash(_ key: UInt) -> Int {
        Int(truncatingIfNeeded: ((key >> 3) &* 0x9E37_79B9_7F4A_7C15) >> 40)
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.key != 0 {
            var index = Self.hash(slot.key) & mask
            while slots[index].key != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
