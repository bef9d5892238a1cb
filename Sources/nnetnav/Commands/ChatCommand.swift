import ArgumentParser
import Foundation
import LanguageModels
import LlamaModel

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with the in-process language model in the terminal.",
        discussion: """
        Type a message and press return; the answer streams back. The conversation is kept, and \
        its cached prefix is reused, so follow-up turns start quickly. Commands: /reset clears the \
        conversation, /quit (or end of input) leaves. Default model: the embedded SmolLM2-135M-Instruct, \
        which is small: expect short, often wrong answers.
        """
    )

    @Option(name: .long, help: "System message that starts the conversation.")
    var system: String?
    @OptionGroup var modelOptions: LocalModelOptions

    func run() async throws {
        let model = try modelOptions.load()
        var messages: [ChatMessage] = system.map { [.system($0)] } ?? []
        var usage = TokenUsage()
        var turns = 0
        let interactive = isatty(STDIN_FILENO) != 0
        while true {
            if interactive { FileHandle.standardError.write(Data("> ".utf8)) }
            guard let line = readLine() else { break }
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            if input == "/quit" || input == "/exit" { break }
            if input == "/reset" { messages = system.map { [.system($0)] } ?? []; continue }
            messages.append(.user(input))
            do {
                let response = try await model.complete(ChatRequest(messages: messages, options: modelOptions.options)) { piece in
                    FileHandle.standardOutput.write(Data(piece.utf8))
                }
                print()
                messages.append(.assistant(response.text))
                usage = usage + response.usage
                turns += 1
            } catch ChatModelError.contextTooLong(let tokens, let limit) {
                FileHandle.standardError.write(Data("the conversation (\(tokens) tokens) no longer fits the context of \(limit); /reset to start over\n".utf8))
                messages.removeLast()
            }
        }
        FileHandle.standardError.write(Data("\(turns) turns, \(usage.promptTokens) prompt + \(usage.completionTokens) completion tokens\n".utf8))
    }
}
