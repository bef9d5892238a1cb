import ArgumentParser
import ChromiumBrowser
import Environments
import Evaluation
import Models
import Foundation
import LanguageModels
import NNetnavSupport
import Pipeline
import WebSites
import WebTasks

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a policy on task sets of the bundled sites.",
        discussion: """
        Starts the sites the tasks need on loopback, runs the policy on every task (each on a freshly \
        reset site instance, in a fresh browser of the --browser backend, signed in as the task's \
        account), scores the final state with the task's programmatic checks (answer, URL, page \
        content, database state) and reports success (with 95% Wilson intervals) per task set, site \
        and difficulty, average steps, seconds per step by stage and failures by cause.

        Each finished episode is appended at once to episodes.jsonl in --out (fsync'd), next to \
        evaluation.json (the policy and settings). Rerunning the same command resumes: finished \
        episodes are skipped; a folder of another configuration is refused. Ctrl-C stops after the \
        steps in flight and keeps everything finished. report.json and report.html are rewritten \
        from episodes.jsonl at the end, or by --report-only DIR.

        Examples:
          nnetnav eval --policy local --tasks environments/shop/tasks.json --limit 10
          nnetnav eval --policy local:runs/main/checkpoint/model.gguf --sites shop,forum --instances 2
          nnetnav eval --policy openai:gpt-4o-mini --sites wiki
          nnetnav eval --policy local --sites forum --browser chromium
          nnetnav eval --policy local --miniwob nnetnav --seeds 5      (MiniWoB++ in headless Chromium)
          nnetnav eval --policy vllm:MODEL@http://127.0.0.1:8000/v1 --miniwob nnetnav --concurrency 8
          nnetnav eval --report-only runs/eval
          nnetnav eval --report-only runs/eval-after --compare runs/eval-before
          SHOPPING=http://localhost:7770 nnetnav eval --policy openai:gpt-4o-mini --sites webarena --judge openai:gpt-4o
          nnetnav eval --policy openai:gpt-4o-mini --webvoyager WebVoyager_data.jsonl --judge openai:gpt-4o

        `--sites webarena` (or `--site-map FILE`) runs WebArena's own 812 tasks (datasets/webarena/test.raw.json, or \
        --tasks FILE in the same format) on a real deployment in Chromium: base URLs from SHOPPING, SHOPPING_ADMIN, \
        REDDIT, GITLAB, WIKIPEDIA, MAP, HOMEPAGE (or the site map); only tasks whose sites are all deployed run. Sign-in \
        and reset hooks come from the site map (environments/webarena/sites.json); --judge grades fuzzy_match answers \
        with WebArena's prompt (without it, a deterministic token match decides). `--webvoyager FILE` runs \
        {web, ques} tasks on the live web and has --judge decide success from the final page and the answer.
        """)

    @OptionGroup var policyOptions: PolicyOptions

    @Option(name: .long, help: "Task files (WebArena JSON format), comma-separated. Default: the task sets of --sites.")
    var tasks: String?

    @OptionGroup(title: "Sites whose bundled task sets run when --tasks is not given (default: shop)")
    var siteOptions: SiteOptions

    @Option(name: .long, help: "Run only the first N tasks of each file, easiest first.")
    var limit: Int?

    @Option(name: .long, help: "Only tasks of at most this difficulty (steps of the reference solution).")
    var maxDifficulty: Int?

    @Option(name: .long, help: "Step limit per task (NNetnav's WebArena evaluation: 20).")
    var maxSteps = 20

    @Option(name: .long, help: "Parallel site instances (tasks run at once); --concurrency sets the same.")
    var instances = 1

    @Option(name: .long, help: "Episodes run at once, each on its own site instance or browser context (MiniWoB++). Pays with a remote or shared model server; the in-process model answers one call at a time. Default: --instances.")
    var concurrency: Int?

    @OptionGroup var student: StudentPromptOptions

    @Option(name: .long, help: "Most valid actions offered to the constrained re-ask.")
    var maxCandidates = EvalDefaults.maxCandidates

    @Option(name: .long, help: "Only rewrite report.json and report.html of the evaluation folder DIR from its episodes.jsonl, and print the summary.")
    var reportOnly: String?

    @Option(name: .long, help: ArgumentHelp("With --report-only DIR: also write DIR/comparison.html, comparing the evaluation folder BEFORE (e.g. the base model) with DIR (after).",
                                            discussion: "Both rates with 95% intervals, the paired counts of the tasks both ran with McNemar's test, per-site rates, and the tasks that flipped (failed → success, success → failed), linking to their pages in both reports. When both were teacher-forced (--follow-reference), also their reference steps paired by task and step: matches with McNemar's test, and the log-probability each gave the reference as a task-clustered mean difference with its 95% t interval."))
    var compare: String?

    @Flag(inversion: .prefixedNo, help: "With --decoding free: re-ask with the page's valid actions as choices when an answer does not parse.")
    var constrainedFallback = true

    @Option(name: .long, help: ArgumentHelp("How the policy picks an action: auto, free, choice or reasoned.",
                                            discussion: "free: the model writes an answer (and, when it names no valid action, chooses among the page's valid actions); choice: it only chooses, by likelihood, among the page's valid actions written as whole answers in the trained format — one scoring call per step; reasoned: it writes its reasoning, then chooses among the page's valid actions as the end of that answer — a generation and a scoring call per step; auto (the default): choice for an in-process model, free for a server."))
    var decoding: DecodingChoice = .auto

    @OptionGroup var choiceReading: ChoiceReadingOptions

    @Option(name: .long, help: ArgumentHelp("Give an episode up after this many identical actions in a row (the same typing anywhere), or this many unparseable ones; 0: run every episode to --max-steps.",
                                            discussion: "WebArena's early stop (--repeating_action_failure_th and --parsing_failure_th, both 3), which NNetnav's evaluation uses. Scrolls count only when the page did not change."))
    var earlyStop = EarlyStop.webArena.repeatedActions

    @Flag(name: .long, help: ArgumentHelp("Teacher-forced: the tasks' scripted solutions act, and at every state the policy is asked what it would do; reports the share of reference steps it matched (Mind2Web's step success) with a 95% interval.",
                                          discussion: "Bundled-site tasks only (they carry solutions). Finer than task success: a policy that learned part of a task scores on the steps it gets right."))
    var followReference = false

    @Option(name: .long, help: ArgumentHelp("With --follow-reference: how the solutions reach their pages, clicks or as-written.",
                                            discussion: "clicks (the default): each goto step becomes the shortest link path or typed search found on the live site, actions a policy choosing among the page's elements can take; as-written: the task file's own steps."))
    var solutions: SolutionNavigation = .clicks

    @OptionGroup var browserOption: BrowserOption

    @Option(name: .long, help: "Evaluate on MiniWoB++ instead (needs chromium): 'nnetnav' for NNetnav's 16 tasks, 'all', or comma-separated task names.")
    var miniwob: String?

    @Option(name: .long, help: "With --miniwob: how many of the evaluation seeds (42, 43, ...) per task.")
    var seeds = 20

    @OptionGroup var cacheOptions: CacheOptions

    @Option(name: .long, help: "WebArena site map (base URLs, accounts, sign-in flows, reset hooks); implies --sites webarena.")
    var siteMap: String?

    @Flag(name: .long, help: "With --sites webarena: run the site map's reset hooks before every task (default: only before tasks marked require_reset).")
    var resetEveryTask = false

    @Option(name: .long, help: ArgumentHelp("The LM judge of WebArena's fuzzy_match and of --webvoyager.", discussion: ModelArgument.help))
    var judge: ModelArgument?

    @Option(name: .long, help: "Evaluate on WebVoyager-style tasks on the live web: a JSONL file of {\"web\", \"ques\"} records (needs --judge).")
    var webvoyager: String?

    @Option(name: .long, help: "Output folder.")
    var out = ProjectLayout.current.runs.appendingPathComponent("eval").path

    func validate() throws {
        if compare != nil, reportOnly == nil {
            throw ValidationError("--compare BEFORE compares with the folder of --report-only DIR: give both")
        }
        guard instances > 0, maxSteps > 0, (concurrency ?? 1) > 0 else {
            throw ValidationError("--instances, --concurrency and --max-steps must be positive")
        }
        guard maxCandidates > 0 else {
            throw ValidationError("--max-candidates must be positive")
        }
        guard earlyStop >= 0 else { throw ValidationError("--early-stop must be 0 (never) or positive") }
        if followReference, miniwob != nil || webvoyager != nil || siteMap != nil || siteOptions.namesWebArena {
            throw ValidationError("--follow-reference needs tasks with scripted solutions: the bundled sites' task sets")
        }
        if let judge { _ = try judge.spec(option: "--judge") }
        if webvoyager != nil, judge == nil { throw ValidationError("--webvoyager needs --judge MODEL to decide success") }
        if (webvoyager != nil || siteMap != nil || siteOptions.namesWebArena), browserOption.browser == .native {
            throw ValidationError("WebArena and the live web run in Chromium: drop --browser native")
        }
        if miniwob != nil, browserOption.browser == .native {
            throw ValidationError("MiniWoB++ pages run JavaScript, so --miniwob always uses Chromium: drop --browser native")
        }
    }

    /// The response cache's default place: in the output folder, next to the report.
    var cachePath: String { URL(fileURLWithPath: out).appendingPathComponent("responses.sqlite").path }

    func run() async throws {
        if let reportOnly {
            let directory = URL(fileURLWithPath: reportOnly)
            let report = try EvaluationReport.regenerate(in: directory)
            print(report.table)
            print("report: \(directory.path)/report.html")
            if let compare {
                let page = directory.appendingPathComponent("comparison.html")
                let comparison = try EvaluationComparison.write(before: URL(fileURLWithPath: compare), after: directory, to: page)
                print(comparison.table)
                print("comparison: \(page.path)")
            }
            return
        }
        if let miniwob { return try await runMiniWoB(miniwob) }
        if let webvoyager { return try await runWebVoyager(webvoyager) }
        if siteMap != nil || siteOptions.namesWebArena { return try await runWebArena() }
        let instances = concurrency ?? self.instances
        let files: [URL] = tasks.map { $0.split(separator: ",").map { URL(fileURLWithPath: String($0)) } }
            ?? siteOptions.sites(or: [.shop]).map { site in
                ProjectLayout.current.environments.appendingPathComponent(site.rawValue)
                    .appendingPathComponent("tasks.json")
            }
        var selected: [TaskConfig] = []
        for file in files {
            var list = try JSONDecoder().decode([TaskConfig].self, from: Data(contentsOf: file))
            if let maxDifficulty { list = list.filter { $0.difficulty <= maxDifficulty } }
            if let limit { list = Array(list.sorted { ($0.difficulty, $0.taskID) < ($1.difficulty, $1.taskID) }.prefix(limit)) }
            selected += list
        }
        guard !selected.isEmpty else { throw ValidationError("no tasks selected") }
        // Every site a task touches, plus admin with shop (one store database behind both).
        var needed = Set(selected.flatMap(\.sites).compactMap(SiteName.init(rawValue:)))
        if needed.contains(.admin) { needed.insert(.shop) }
        let cluster = try await SiteCluster.start(sites: SiteName.allCases.filter(needed.contains), instances: instances,
                                                  dataDirectory: URL(fileURLWithPath: out).appendingPathComponent("sites"),
                                                  seed: TaskSet.seed)
        do {
            let model = try cacheOptions.wrap(try policyOptions.make(maxConcurrentRequests: 2 * instances), defaultPath: cachePath)
            let meter = UsageMeter()
            let agent = try makeAgent(model, meter: meter)
            if followReference, solutions == .clicks {
                let (rewritten, summary) = try await ClickNavigation().rewrite(selected, harness: TaskHarness(cluster: cluster))
                print("solutions: \(summary)")
                selected = rewritten
            }
            let settings = EvaluationSettings(label: "\(policyOptions.policy.text) on bundled-site tasks (\(files.count) task files)"
                                                  + (followReference ? ", teacher-forced on solutions \(solutions.rawValue)" : ""),
                                              benchmark: followReference ? "bundled-sites-reference-steps" : "bundled-sites",
                                              agent: agent, maxSteps: maxSteps, browser: (browserOption.browser ?? .native).rawValue)
            let journal = try EvaluationJournal(directory: URL(fileURLWithPath: out), settings: settings)
            var runner = TaskRunner(agent: agent, cluster: cluster, maxSteps: maxSteps)
            runner.followsReferenceSolution = followReference
            let evaluation = PolicyEvaluation(runner: runner, label: "eval", backend: browserOption.browser ?? .native)
            let chosen = selected
            try await finish(journal: journal, meter: meter) {
                _ = try await evaluation.run(chosen, instances: instances, journal: journal)
            }
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    func makeJudgeModel() throws -> (any ChatModel)? {
        guard let judge else { return nil }
        return try cacheOptions.wrap(try ModelFactory.make(try judge.spec(option: "--judge"),
                                                           apiKeyEnvironmentVariable: policyOptions.apiKey.apiKeyEnv,
                                                           maxConcurrentRequests: 4),
                                     defaultPath: cachePath)
    }

    func runWebArena() async throws {
        let map = try WebArenaSiteMap.load(siteMap.map { URL(fileURLWithPath: $0) } ?? WebArenaSiteMap.defaultFile())
        let deployment = try map.deployment()
        let deployed = Set(deployment.baseURLs.keys)
        guard !deployed.isEmpty else {
            throw ValidationError("no WebArena site is deployed: set SHOPPING, SHOPPING_ADMIN, REDDIT, GITLAB, WIKIPEDIA, MAP, HOMEPAGE "
                                  + "to the running sites' base URLs (or give urls in --site-map)")
        }
        let file = tasks.map { URL(fileURLWithPath: $0) } ?? WebArenaTaskFile.defaultFile()
        let all = try WebArenaTaskFile.loadRaw(file)
        var selected = try WebArenaTaskFile.load(file, deployment: deployment, sites: deployed)
        let missing = WebArenaSite.allCases.filter { !deployed.contains($0) }.map(\.environmentVariable)
        if selected.count < all.count {
            print("running \(selected.count) of \(all.count) tasks: the others need sites whose variables are not set (\(missing.joined(separator: ", ")))")
        }
        if let limit { selected = Array(selected.prefix(limit)) }
        guard !selected.isEmpty else { throw ValidationError("no tasks selected") }
        let workers = concurrency ?? instances
        let model = try cacheOptions.wrap(try policyOptions.make(maxConcurrentRequests: 2 * workers), defaultPath: cachePath)
        let meter = UsageMeter()
        let agent = try makeAgent(model, meter: meter)
        let admin = map.settings(.shoppingAdmin).account
        let shoppingAPI = deployment.baseURLs[.shopping].map {
            MagentoShoppingAPI(baseURL: $0, username: admin?.username ?? "admin", password: admin?.password ?? "admin1234")
        }
        let evaluator = try makeJudgeModel().map { try WebArenaJudge(model: $0).evaluator(shoppingAPI: shoppingAPI) }
            ?? TaskEvaluator(shoppingAPI: shoppingAPI)
        let settings = EvaluationSettings(label: "\(policyOptions.policy.text) on WebArena (\(file.lastPathComponent))", benchmark: "webarena",
                                          agent: agent, maxSteps: maxSteps, browser: BrowserBackend.chromium.rawValue)
        let journal = try EvaluationJournal(directory: URL(fileURLWithPath: out), settings: settings)
        let evaluation = WebArenaEvaluation(agent: agent, siteMap: map, deployment: deployment, evaluator: evaluator,
                                            maxSteps: maxSteps, resetBeforeEveryTask: resetEveryTask)
        let chosen = selected
        try await finish(journal: journal, meter: meter) {
            _ = try await evaluation.run(chosen, concurrency: workers, journal: journal)
        }
    }

    func runWebVoyager(_ path: String) async throws {
        var list = try WebVoyagerTask.load(URL(fileURLWithPath: path))
        if let limit { list = Array(list.prefix(limit)) }
        guard let judgeModel = try makeJudgeModel() else { throw ValidationError("--webvoyager needs --judge MODEL") }
        let workers = concurrency ?? instances
        let model = try cacheOptions.wrap(try policyOptions.make(maxConcurrentRequests: 2 * workers), defaultPath: cachePath)
        let meter = UsageMeter()
        let agent = try makeAgent(model, meter: meter)
        let settings = EvaluationSettings(label: "\(policyOptions.policy.text) on WebVoyager tasks (\(URL(fileURLWithPath: path).lastPathComponent))",
                                          benchmark: "webvoyager", agent: agent, maxSteps: maxSteps, browser: BrowserBackend.chromium.rawValue)
        let journal = try EvaluationJournal(directory: URL(fileURLWithPath: out), settings: settings)
        let evaluation = WebVoyagerEvaluation(agent: agent, judge: try WebVoyagerJudge(model: judgeModel), maxSteps: maxSteps)
        let chosen = list
        try await finish(journal: journal, meter: meter) {
            _ = try await evaluation.run(chosen, concurrency: workers, journal: journal)
        }
    }

    func runMiniWoB(_ selection: String) async throws {
        let taskSet = try MiniWoBTaskSet.load()
        let tasks = try taskSet.tasks(selectedBy: selection)
        let pages = try MiniWoBPages.prepare()
        let workers = concurrency ?? instances
        let model = try cacheOptions.wrap(try policyOptions.make(maxConcurrentRequests: 2 * workers), defaultPath: cachePath)
        let meter = UsageMeter()
        let agent = try makeAgent(model, meter: meter)
        // The task set's own step limits apply (as in `MiniWoBEvaluation`), so --max-steps is not a setting here.
        let evaluation = MiniWoBEvaluation(agent: agent, taskSet: taskSet, pages: pages)
        let settings = EvaluationSettings(label: "\(policyOptions.policy.text) on MiniWoB++ (\(selection))", benchmark: "miniwob",
                                          agent: evaluation.agent, maxSteps: nil, browser: BrowserBackend.chromium.rawValue)
        let journal = try EvaluationJournal(directory: URL(fileURLWithPath: out), settings: settings)
        let seedList = Array(taskSet.evaluationSeeds.seeds.prefix(seeds))
        try await finish(journal: journal, meter: meter) {
            _ = try await evaluation.run(tasks: tasks, seeds: seedList, concurrency: workers, journal: journal)
        }
    }

    func makeAgent(_ model: any ChatModel, meter: UsageMeter) throws -> PolicyAgent {
        var agent = PolicyAgent(model: MeteredChatModel(wrapping: model, meter: meter),
                                prompt: try student.prompt(),
                                options: GenerationOptions(temperature: 0, maxTokens: student.maxAnswerTokens),
                                constrainedFallback: constrainedFallback, maxCandidates: maxCandidates,
                                decoding: try decoding.resolved(for: policyOptions.policy.spec(option: "--policy")))
        agent.earlyStop = EarlyStop(parsingFailures: earlyStop, repeatedActions: earlyStop)
        agent.choiceScoring = choiceReading.choiceScoring
        agent.answerReasoning = choiceReading.answerReasoning
        return agent
    }

    /// Runs `evaluate` until it ends or Ctrl-C cancels it, then rewrites the report from what the
    /// journal holds either way.
    func finish(journal: EvaluationJournal, meter: UsageMeter, _ evaluate: @escaping @Sendable () async throws -> Void) async throws {
        let loadBefore = MachineLoad.current()
        let work = Task { try await evaluate() }
        let interrupt = Interrupt.cancelOnInterrupt(work)
        defer { interrupt.cancel() }
        let result = await work.result
        let report = try EvaluationReport.regenerate(in: journal.directory)
        print(report.table)
        print("model: \(await meter.snapshot())")
        print("machine: \(loadBefore.text) at start, \(MachineLoad.current().text) at the end")
        print("report: \(journal.directory.path)/report.html")
        do { try result.get() } catch is CancellationError {
            print("interrupted; rerun the same command to finish the rest (finished episodes are kept in \(journal.directory.path))")
            throw ExitCode(130)
        }
    }
}

/// `--decoding`: a `PolicyDecoding`, or `auto` to choose by where the policy runs.
enum DecodingChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, free, choice, reasoned

    func resolved(for spec: ChatModelSpec) -> PolicyDecoding {
        switch self {
        case .auto: return .automatic(for: spec)
        case .free: return .free
        case .choice: return .choice
        case .reasoned: return .reasoned
        }
    }
}

/// Defaults of the constrained re-ask (the prompt's budgets are `StudentPromptOptions`').
enum EvalDefaults {
    static let maxCandidates = 16
}
