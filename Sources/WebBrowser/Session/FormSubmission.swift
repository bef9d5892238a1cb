import Foundation
import HTTPTransport

/// The HTML form submission algorithm: which controls a form owns, the entry list they
/// produce, and the request that submits it (method, action, enctype, submitter).
enum FormSubmission {
    /// The form an element belongs to: its `form` attribute's target, else its nearest `<form>` ancestor.
    static func owner(of element: HTMLElement, in document: HTMLDocument) -> HTMLElement? {
        if element.tag == "form" { return element }
        if let formID = element.attribute("form") {
            let target = document.element(withID: formID)
            return target?.tag == "form" ? target : nil
        }
        return element.ancestor { $0.tag == "form" }
    }

    static let listedTags: Set<String> = ["button", "fieldset", "input", "object", "output", "select", "textarea"]

    /// Controls owned by `form`, in tree order.
    static func controls(of form: HTMLElement, in document: HTMLDocument) -> [HTMLElement] {
        document.root.descendants().filter { listedTags.contains($0.tag) && owner(of: $0, in: document) === form }
    }

    static func isSubmitButton(_ element: HTMLElement) -> Bool {
        switch element.tag {
        case "button": return (element.attribute("type") ?? "submit").lowercased() == "submit"
        case "input": return ["submit", "image"].contains(RoleMapping.inputType(element))
        default: return false
        }
    }

    static func isDisabled(_ element: HTMLElement) -> Bool {
        if element.hasAttribute("disabled") { return true }
        var child = element
        var node = element.parent
        while let n = node {
            if n.tag == "fieldset", n.hasAttribute("disabled"),
               n.elementChildren.first(where: { $0.tag == "legend" }) !== child { return true }
            child = n
            node = n.parent
        }
        return false
    }

    struct Entries {
        var fields: [(name: String, value: String)] = []
        var files: [FormEncoding.FilePart] = []
    }

    /// The form data set ("constructing the entry list").
    static func entries(of form: HTMLElement, submitter: HTMLElement?, in document: HTMLDocument,
                        state: FormState) -> Entries {
        var out = Entries()
        for control in controls(of: form, in: document) {
            if isDisabled(control) { continue }
            if control.ancestor(where: { $0.tag == "datalist" }) != nil { continue }
            let isButton = control.tag == "button"
                || (control.tag == "input" && ["submit", "reset", "button", "image"].contains(RoleMapping.inputType(control)))
            if isButton && control !== submitter { continue }
            let name = control.attribute("name") ?? ""
            if control.tag == "input", RoleMapping.inputType(control) == "image" {
                let prefix = name.isEmpty ? "" : name + "."
                out.fields.append((prefix + "x", "0"))
                out.fields.append((prefix + "y", "0"))
                continue
            }
            if name.isEmpty { continue }
            switch control.tag {
            case "select":
                for option in state.selectedOptions(of: control) where !option.hasAttribute("disabled") {
                    out.fields.append((name, FormState.optionValue(option)))
                }
            case "textarea":
                out.fields.append((name, state.value(of: control)
                    .replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")))
            case "button":
                out.fields.append((name, control.attribute("value") ?? ""))
            case "input":
                switch RoleMapping.inputType(control) {
                case "checkbox", "radio":
                    if state.isChecked(control) { out.fields.append((name, control.attribute("value") ?? "on")) }
                case "file":
                    out.files.append(.init(name: name, filename: "", data: Data()))
                default:
                    out.fields.append((name, state.value(of: control)))
                }
            default:
                break
            }
        }
        return out
    }

    /// The request submitting `form`, or an error message when it cannot be submitted.
    static func request(for form: HTMLElement, submitter: HTMLElement?, in document: HTMLDocument,
                        state: FormState) -> Result<HTTPRequest, SubmissionError> {
        func attribute(_ submitterName: String, _ formName: String) -> String? {
            submitter?.attribute(submitterName) ?? form.attribute(formName)
        }
        let method = (attribute("formmethod", "method") ?? "get").lowercased()
        if method == "dialog" { return .failure(.unsupported("method=dialog closes a dialog, which needs JavaScript")) }
        let actionText = attribute("formaction", "action") ?? ""
        let base = actionText.trimmingCharacters(in: .whitespaces).isEmpty ? document.url : document.baseURL
        guard let action = URLResolution.resolve(actionText, against: base) else {
            return .failure(.badAction(actionText))
        }
        if action.lowercased().hasPrefix("javascript:") {
            return .failure(.unsupported("the form submits through JavaScript (\(action))"))
        }
        let entries = entries(of: form, submitter: submitter, in: document, state: state)
        if method != "post" {
            // GET: files travel as their (empty) names.
            let fields = entries.fields + entries.files.map { ($0.name, $0.filename) }
            return .success(HTTPRequest(method: .get, url: URLResolution.replacingQuery(of: action,
                                                                                       with: FormEncoding.urlEncoded(fields))))
        }
        let enctype = (attribute("formenctype", "enctype") ?? "").lowercased()
        switch enctype {
        case "multipart/form-data":
            let (contentType, body) = FormEncoding.multipart(entries.fields, files: entries.files)
            return .success(HTTPRequest(method: .post, url: action, headers: [("Content-Type", contentType)], body: body))
        case "text/plain":
            let fields = entries.fields + entries.files.map { ($0.name, $0.filename) }
            let text = fields.map { "\($0.name)=\($0.value)\r\n" }.joined()
            return .success(HTTPRequest(method: .post, url: action, headers: [("Content-Type", "text/plain;charset=UTF-8")],
                                        body: Data(text.utf8)))
        default:
            let fields = entries.fields + entries.files.map { ($0.name, $0.filename) }
            return .success(HTTPRequest(method: .post, url: action,
                                        headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: Data(FormEncoding.urlEncoded(fields).utf8)))
        }
    }

    enum SubmissionError: Error, CustomStringConvertible {
        case unsupported(String)
        case badAction(String)
        var description: String {
            switch self {
            case .unsupported(let why): "cannot submit the form: \(why)"
            case .badAction(let action): "cannot submit the form: its action '\(action)' is not a URL"
            }
        }
    }
}
