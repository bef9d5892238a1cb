import ArgumentParser
import Evaluation
import Foundation
import Pipeline

/// The student's prompt budget, one set of options for every command that renders or reads it:
/// `export` cuts SFT rows to it, `eval` prompts the policy with it, and `explore` sizes the native
/// browser's windows to its page share, so a crawl's pages reach the student whole.
///
/// The defaults are the main job's (sized for the embedded 135M model): a checkpoint trained on
/// exported rows is evaluated on prompts shaped like them.
struct StudentPromptOptions: ParsableArguments {
    @Option(name: .long, help: "Token budget of one chat (system + user + answer), the trainer's sequence length; pages are truncated to fit, and `explore` cuts its windows to fit. Export, eval and explore must agree.")
    var maxSequenceTokens = 1024

    @Option(name: .long, help: "Tokens kept free for the answer: the evaluated policy's generation limit.")
    var maxAnswerTokens = 128

    @Option(name: .long, help: "GGUF file whose tokenizer counts the budget (the student's; default: the embedded model), or 'bytes' for a bound that holds for every byte-level BPE.")
    var tokenizer: String?

    func validate() throws {
        guard maxSequenceTokens > 0, maxAnswerTokens > 0 else {
            throw ValidationError("--max-sequence-tokens and --max-answer-tokens must be positive")
        }
        guard maxAnswerTokens + StudentPrompt.minimumPageTokens < maxSequenceTokens else {
            throw ValidationError("--max-answer-tokens \(maxAnswerTokens) leaves no room for a page in --max-sequence-tokens \(maxSequenceTokens)")
        }
    }

    /// The student prompt these options describe, counted with the chosen tokenizer.
    /// A budget that leaves no page (one token per byte counts the system prompt alone at ~1,100) is an
    /// error here, not an export of zero rows.
    func prompt() throws -> StudentPrompt {
        let prompt = StudentPrompt(template: try PromptLibrary().studentPolicy, maxSequenceTokens: maxSequenceTokens,
                                   maxAnswerTokens: maxAnswerTokens, tokens: try StudentTokens.counter(tokenizer))
        let fixed = prompt.fixedTokens
        guard maxSequenceTokens - fixed >= StudentPrompt.minimumPageTokens else {
            throw ValidationError("--max-sequence-tokens \(maxSequenceTokens) leaves no room for a page: the system prompt, "
                + "answer and template take \(fixed) \(prompt.tokens.name) tokens; raise it (with --tokenizer bytes, 4096)")
        }
        return prompt
    }
}
