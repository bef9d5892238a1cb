import Foundation
import NNetnavSupport

/// The viewer's pages. Every model- or page-written string goes through `HTML` interpolation, which
/// escapes it, so a page or a label that contains markup is shown, never run.
struct ViewerPages: Sendable {
    let reader: CrawlStoreReader
    let storeName: String

    // MARK: Overview: run, charts, episodes

    func overview(filter: EpisodeFilter) throws -> HTML {
        let all = try reader.episodes()
        let run = try reader.run()
        var matching = all.filter { e in
            (filter.site == nil || e.site == filter.site)
                && (filter.outcome == .all || (filter.outcome == .kept) == e.kept)
                && (filter.minimumScore.map { (e.bestScore ?? -1) >= $0 } ?? true)
                && (!filter.templateOnly || e.templateRationales > 0)
        }
        if let search = filter.search {
            let hits = Set(try reader.demonstrations(search: search).map(\.episode))
            matching = matching.filter { hits.contains($0.index) }
        }
        let kept = all.filter(\.kept).count
        let demos = try reader.demonstrations()
        let summary: HTML = """
        <p class="summary">Model <code>\(run?.model ?? "?")</code> · sites \(run?.sites ?? "?") · \
        \(all.count) of \(run?.plannedEpisodes ?? all.count) planned episodes recorded · \(kept) kept, \
        \(all.count - kept) without a demonstration · \(demos.count) demonstrations · \
        <a href="/demonstrations">read the demonstrations</a></p>
        """
        let rows: [HTML] = matching.map { e in
            let outcome: HTML = e.kept ? "<span class=\"kept\">kept (\(e.demonstrations))</span>"
                : "<span class=\"pruned\">\(e.prunedAtDepth.map { "pruned at depth \($0)" } ?? e.status)</span>"
            return """
            <tr><td><a href="/episodes/\(e.index)">\(e.index)</a></td><td>\(e.site)</td><td>\(e.persona)</td>\
            <td>\(e.status)</td><td>\(e.stopReason ?? "")</td><td>\(e.actions)</td><td>\(outcome)</td>\
            <td>\(e.bestScore.map { SVGChart.number($0) } ?? "")</td><td>\(e.templateRationales)</td></tr>
            """
        }
        let body: HTML = """
        \(summary)
        <div class="charts">\(try charts(episodes: all))</div>
        <h2>Episodes</h2>
        \(filterForm(filter, sites: Array(Set(all.map(\.site))).sorted()))
        <p>\(matching.count) of \(all.count) episodes match.</p>
        <table id="episodes"><thead><tr><th>#</th><th>site</th><th>persona</th><th>status</th><th>stop reason</th>\
        <th>actions</th><th>outcome</th><th>best judge score</th><th>template rationales</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """
        return layout(title: "Crawl \(storeName)", body: body)
    }

    func charts(episodes: [CrawlStoreReader.EpisodeRow]) throws -> HTML {
        let scores = try reader.judgeScores()
        let scoreBars = (1...5).map { s in
            SVGChart.Bar(label: String(s), value: Double(scores.filter { Int($0.rounded()) == s }.count))
        }
        let depths = episodes.compactMap(\.prunedAtDepth)
        let depthValues = Array(Set(depths)).sorted()
        let depthBars = depthValues.map { d in SVGChart.Bar(label: String(d), value: Double(depths.filter { $0 == d }.count)) }
        let mix = try reader.actionMix().map { SVGChart.Bar(label: $0.kind, value: Double($0.count)) }
        let size = SVGChart.Size(width: 380, height: 240)
        return HTML(raw: SVGChart.bars(title: "Judge scores", xLabel: "score", yLabel: "checkpoints", bars: scoreBars, size: size)
            + SVGChart.bars(title: "Where episodes were pruned", xLabel: "depth (actions)", yLabel: "episodes",
                            bars: depthBars, size: size)
            + SVGChart.bars(title: "Action mix", xLabel: "action", yLabel: "steps", bars: mix, size: size))
    }

    func filterForm(_ f: EpisodeFilter, sites: [String]) -> HTML {
        let siteOptions: [HTML] = [HTML("<option value=\"\">all sites</option>")] + sites.map { site in
            "<option value=\"\(site)\"\(HTML(raw: f.site == site ? " selected" : ""))>\(site)</option>"
        }
        let outcomes: [HTML] = [EpisodeFilter.Outcome.all, .kept, .pruned].map { o in
            "<option value=\"\(o.rawValue)\"\(HTML(raw: f.outcome == o ? " selected" : ""))>\(o.rawValue)</option>"
        }
        return """
        <form method="get" action="/" class="filters">
        <label>Site <select name="site">\(siteOptions)</select></label>
        <label>Outcome <select name="outcome">\(outcomes)</select></label>
        <label>Best judge score ≥ <input name="min_score" size="3" value="\(f.minimumScore.map { SVGChart.number($0) } ?? "")"></label>
        <label><input type="checkbox" name="template" value="1"\(HTML(raw: f.templateOnly ? " checked" : ""))> with template rationales</label>
        <label>Instruction contains <input name="q" value="\(f.search ?? "")"></label>
        <button type="submit">Filter</button></form>
        """
    }

    // MARK: One episode: checkpoints, demonstrations, steps before/after

    func episode(_ index: Int) throws -> HTML? {
        guard let e = try reader.episodes().first(where: { $0.index == index }) else { return nil }
        let steps = try reader.steps(episode: index)
        let checkpoints = try reader.checkpoints(episode: index)
        let demos = try reader.demonstrations(episode: index)
        let checkpointRows: [HTML] = checkpoints.map { c in
            """
            <tr class="\(c.decision == "accept" ? "kept" : "pruned")"><td>\(c.depth)</td><td>\(c.instruction ?? "(no label)")</td>\
            <td>\(c.score.map { SVGChart.number($0) } ?? "–")</td><td>\(c.decision)</td><td>\(c.detail)</td>\
            <td><details><summary>raw</summary><pre>label: \(c.rawLabel)\n\njudge: \(c.rawJudge ?? "")</pre></details></td></tr>
            """
        }
        let stepBlocks: [HTML] = steps.indices.map { i in
            let s = steps[i]
            let next = i + 1 < steps.count ? steps[i + 1] : nil
            let diff = LineDiff.compare(before: s.observation, after: next?.observation ?? s.observation)
            let action: HTML = s.action.map { a in
                "<p class=\"action\"><b>Action</b> <code>\(a)</code>\(HTML(raw: s.constrained ? " <i>(constrained choice)</i>" : "")) · \(s.actionDescription ?? "")</p>"
            } ?? "<p class=\"action\"><i>terminal observation</i></p>"
            return """
            <section class="step" id="step-\(s.index)"><h3>Step \(s.index) <small><code>\(s.url)</code></small></h3>
            \(action)
            \(s.stateChange.map { "<p><b>State change</b> \($0)</p>" as HTML } ?? .empty)
            \(s.rawOutput.map { "<details><summary>model output</summary><pre>\($0)</pre></details>" as HTML } ?? .empty)
            <div class="pair"><div><h4>before</h4>\(screenshot(s, episode: index))\(observation(diff.before, kind: "removed"))</div>\
            <div><h4>after</h4>\(next.map { screenshot($0, episode: index) } ?? .empty)\
            \(next == nil ? "<p><i>(none)</i></p>" : observation(diff.after, kind: "added"))</div></div>
            </section>
            """
        }
        let body: HTML = """
        <p><a href="/">← all episodes</a></p>
        <p class="summary">Site <b>\(e.site)</b> · persona “\(e.persona)” · start <code>\(e.startURL)</code> · \
        status \(e.status) · stop \(e.stopReason ?? "–") \(e.stopDetail.map { "(\($0))" } ?? "") · \(e.actions) actions\
        \(e.error.map { " · <span class=\"pruned\">error: \($0)</span>" as HTML } ?? .empty)</p>
        <h2>Checkpoints</h2>
        <table><thead><tr><th>depth</th><th>instruction</th><th>judge</th><th>decision</th><th>why</th><th></th></tr></thead>
        <tbody>\(checkpointRows)</tbody></table>
        <h2>Demonstrations</h2>\(demos.isEmpty ? "<p>None: every prefix was pruned.</p>" as HTML : demonstrationList(demos))
        <h2>Steps</h2>\(stepBlocks)
        """
        return layout(title: "Episode \(index) (\(e.site))", body: body)
    }

    /// The step's page as Chromium rendered it, above its observation text (crawls in Chromium only).
    func screenshot(_ step: CrawlStoreReader.StepRow, episode: Int) -> HTML {
        guard step.hasScreenshot else { return .empty }
        return """
        <a href="/episodes/\(episode)/screenshots/\(step.index)"><img class="shot" loading="lazy" \
        src="/episodes/\(episode)/screenshots/\(step.index)" alt="screenshot of step \(step.index)"></a>
        """
    }

    func observation(_ lines: [LineDiff.Marked], kind: String) -> HTML {
        let rendered: [HTML] = lines.map { line in
            line.changed ? "<span class=\"\(kind)\">\(line.text)</span>\n" : "\(line.text)\n"
        }
        return "<pre class=\"obs\">\(rendered)</pre>"
    }

    // MARK: Demonstrations as they will be exported

    func demonstrations(search: String?) throws -> HTML {
        let demos = try reader.demonstrations(search: search)
        let body: HTML = """
        <p><a href="/">← overview</a></p>
        <form method="get" action="/demonstrations" class="filters"><label>Instruction contains \
        <input name="q" value="\(search ?? "")"></label> <button type="submit">Search</button></form>
        <p>\(demos.count) demonstrations.</p>\(demonstrationList(demos))
        """
        return layout(title: "Demonstrations", body: body)
    }

    func demonstrationList(_ demos: [CrawlStoreReader.DemonstrationRow]) -> HTML {
        let items: [HTML] = demos.map { d in
            // The rationales are the demonstration's steps, which end at its depth (see `Demonstration.start`).
            let start = d.depth - d.rationales.count
            let steps: [HTML] = d.rationales.indices.map { t in
                let id = "\(d.episode):\(d.depth):\(start + t)"
                return "<li><a href=\"/rows/\(id)\" title=\"SFT row \(id)\"><code>\(id)</code></a> \(d.rationales[t])</li>"
            }
            return """
            <article class="demo"><h3>“\(d.instruction)”</h3>
            <p>episode <a href="/episodes/\(d.episode)">\(d.episode)</a> (\(d.site)) · \(d.rationales.count) actions · judge \
            \(d.judgeScore.map { SVGChart.number($0) } ?? "–")\(HTML(raw: d.templateRationales > 0 ? " · <span class=\"pruned\">\(d.templateRationales) template rationale(s)</span>" : ""))</p>
            <ol start="\(start)">\(steps)<li><code>\(d.episode):\(d.depth):\(d.depth)</code> <code>\(d.stopAction)</code></li></ol></article>
            """
        }
        return "\(items)"
    }

    // MARK: Layout

    func layout(title: String, body: HTML) -> HTML {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(title) · nnetnav view</title>
        <style>\(HTML(raw: Self.style))</style></head><body>
        <header><b>nnetnav view</b> · <code>\(storeName)</code></header><main><h1>\(title)</h1>
        \(body)</main></body></html>
        """
    }

    static let style = """
    body{font:14px/1.45 system-ui,-apple-system,sans-serif;margin:0;color:#222}header{background:#263238;color:#fff;padding:.5em 1.5em}
    main{padding:0 1.5em 2em;max-width:1500px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
    th{background:#f3f3f3}.kept{color:#1b5e20}.pruned{color:#b71c1c}.charts svg{margin:0 .8em .8em 0;border:1px solid #eee}
    .pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}pre{white-space:pre-wrap;background:#f7f7f7;padding:.5em;margin:0;max-height:30em;overflow:auto;font-size:12px}
    .removed{background:#ffd7d5}.added{background:#ccf2d1}.step{border-top:2px solid #ddd;margin-top:1em}.filters label{margin-right:1em}
    .demo{border-left:3px solid #1b5e20;padding-left:.8em;margin:1em 0}code{font-size:12px}
    img.shot{display:block;width:100%;max-width:640px;border:1px solid #ccc;margin:0 0 .5em}
    """
}
