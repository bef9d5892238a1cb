"""Writes environments/code/tasks.json from the seeded code database (seed 0, the default of runs).

Usage: nnetnav env dump --out /tmp/sites
       python3 environments/code/make_tasks.py /tmp/sites/code.sqlite environments/code/tasks.json
Answers and page checks are read from the data, so rerun this whenever the seed generator changes;
the WebSitesTests then replay every solution against the live site."""
import os, sqlite3, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "forum"))
from task_authoring import *
db = sqlite3.connect(sys.argv[1]); db.row_factory = sqlite3.Row
ME = "arivera"

def forms(path, f):
    tail = path.rsplit("/", 1)[-1]
    if tail == "star": return [click("button", "Star")]
    if path.endswith("/-/issues"):
        return [type_("Title", f["title"])] + ([type_("Description", f["description"])] if f.get("description") else []) + \
               ([select("Label", f["label"])] if f.get("label") else []) + [click("button", "Create issue")]
    if "/-/merge_requests/" in path:
        return [click("button", {"merge": "Merge", "close": "Close merge request"}[tail])]
    if tail == "close": return [click("button", "Close issue")]
    if tail == "reopen": return [click("button", "Reopen issue")]
    if tail == "labels": return [select("Add label", f["label"]), click("button", "Add label")]
    if tail == "assign": return [select("Assignee", f["assignee"]), click("button", "Assign")]
    if tail == "notes": return [type_("Comment", f["body"]), click("button", "Comment")]
    if tail == "project_members": return [type_("Username", f["username"]), select("Role", f["role"]), click("button", "Invite")]
    raise ValueError(path)

def effects(path, f):
    me = f"(SELECT id FROM users WHERE username = {sql_text(ME)})"
    parts = path.strip("/").split("/")
    project = f"(SELECT id FROM projects WHERE namespace = {sql_text(parts[0])} AND name = {sql_text(parts[1])})"
    tail = parts[-1]
    if tail == "star": return [(f"SELECT COUNT(*) FROM stars WHERE user_id = {me} AND project_id = {project}", 1)]
    if path.endswith("/-/issues"):
        check = [(f"SELECT COUNT(*) FROM issues WHERE project_id = {project} AND author_id = {me} AND title = {sql_text(f['title'])} AND state = 'opened'", 1)]
        if f.get("label"):
            check.append((f"SELECT COUNT(*) FROM issues i JOIN issue_labels il ON il.issue_id = i.id JOIN labels l ON l.id = il.label_id "
                          f"WHERE i.project_id = {project} AND i.title = {sql_text(f['title'])} AND l.name = {sql_text(f['label'])}", 1))
        return check
    number = parts[-2]
    issue = f"(SELECT id FROM issues WHERE project_id = {project} AND number = {number})"
    if "merge_requests" in parts:
        return [(f"SELECT state FROM merge_requests WHERE project_id = {project} AND number = {number}", "merged" if tail == "merge" else "closed")]
    if tail in ("close", "reopen"):
        return [(f"SELECT state FROM issues WHERE project_id = {project} AND number = {number}", "closed" if tail == "close" else "opened")]
    if tail == "labels":
        return [(f"SELECT COUNT(*) FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = {issue} AND l.name = {sql_text(f['label'])}", 1)]
    if tail == "assign":
        return [(f"SELECT u.username FROM issues i JOIN users u ON u.id = i.assignee_id WHERE i.id = {issue}", f["assignee"])]
    if tail == "notes":
        return [(f"SELECT COUNT(*) FROM notes WHERE issue_id = {issue} AND author_id = {me} AND body = {sql_text(f['body'])}", 1)]
    if tail == "project_members":
        return [(f"SELECT m.role FROM members m JOIN users u ON u.id = m.user_id WHERE m.project_id = {project} AND u.username = {sql_text(f['username'])}", f["role"])]
    raise ValueError(path)

T = Tasks("code", "__CODE__", ME, forms, effects)
one = lambda sql, *a: db.execute(sql, a).fetchone()
allr = lambda sql, *a: db.execute(sql, a).fetchall()
def proj(name): return one("SELECT *, namespace||'/'||name AS full FROM projects WHERE name=?", name)
def path(p): return "/" + p["full"]
def stars(p): return one("SELECT COUNT(*) FROM stars WHERE project_id=?", p["id"])[0]
def issue(p, **where):
    cond = " AND ".join(f"{k}=?" for k in where)
    return allr(f"SELECT * FROM issues WHERE project_id=? {'AND ' + cond if cond else ''} ORDER BY number", p["id"], *where.values())
def labels(i): return [r[0] for r in allr("SELECT l.name FROM issue_labels il JOIN labels l ON l.id=il.label_id WHERE il.issue_id=? ORDER BY l.name", i["id"])]
def user(uid): return one("SELECT * FROM users WHERE id=?", uid)

for name in ["tide-tables", "kanban-lite"]:
    p = proj(name)
    T.add(1, "How many stars does the project {{project}} have?", f"How many stars does the project {name} have?", "/",
          [T.goto(path(p)), T.stop(str(stars(p)))], exact=str(stars(p)))
p = proj("genome-slicer")
T.add(2, "Which programming language is {{project}} written in?", "Which programming language is genome-slicer written in?", "/",
      [T.goto(path(p)), T.stop(p["language"])], exact=p["language"])
# The first unambiguous "most stars" question in this seed's data.
for language in ["", "Python", "JavaScript", "Swift"]:
    rows = allr("SELECT p.*, p.namespace||'/'||p.name AS full FROM projects p" + (" WHERE language = ?" if language else ""),
                *([language] if language else []))
    best = unique_top(rows, stars)
    if best: break
assert best, "every language has a tie for the most stars"
kind = f"{language} project" if language else "project"
T.add(3, "Which {{kind}} has the most stars?", f"Which {kind} has the most stars?", "/",
      [T.goto("/?sort=stars" + (f"&language={language}" if language else "")), T.stop(best["full"])], answer=[best["name"]])
for name in ["chat-relay", "budget-book"]:
    p = proj(name); n = len(issue(p, state="opened"))
    T.add(4, "How many open issues does {{project}} have?", f"How many open issues does {name} have?", "/",
          [T.goto(path(p)), T.goto(path(p) + "/-/issues"), T.stop(str(n))], exact=str(n))
for name in ["quiz-engine", "flashcards"]:
    p = proj(name); o = one("SELECT u.name FROM members m JOIN users u ON u.id=m.user_id WHERE m.project_id=? AND m.role='Owner'", p["id"])[0]
    T.add(5, "Who is the owner of the project {{project}}? Give their full name.", f"Who is the owner of the project {name}? Give their full name.", "/",
          [T.goto(path(p)), T.goto(path(p) + "/-/project_members"), T.stop(o)], answer=[o])
p = proj("http-mock")
m = allr("SELECT u.username, m.role FROM members m JOIN users u ON u.id=m.user_id WHERE m.project_id=? AND m.role!='Owner' ORDER BY u.username", p["id"])[0]
T.add(6, "What role does {{user}} have in {{project}}?", f"What role does {m['username']} have in http-mock?", "/",
      [T.goto(path(p)), T.goto(path(p) + "/-/project_members"), T.stop(m["role"])], exact=m["role"])
p = proj("trail-map"); i = [x for x in issue(p) if x["assignee_id"]][0]
T.add(7, "Who is assigned to issue #{{n}} of {{project}}? Give the username.", f"Who is assigned to issue #{i['number']} of trail-map? Give the username.", "/",
      [T.goto(path(p) + "/-/issues?state=all"), T.goto(path(p) + f"/-/issues/{i['number']}"), T.stop(user(i["assignee_id"])["username"])],
      exact=user(i["assignee_id"])["username"])
p = proj("color-palette"); i = [x for x in issue(p) if len(labels(x)) == 2][0] if [x for x in issue(p) if len(labels(x)) == 2] else issue(p)[0]
T.add(8, "Which labels does issue #{{n}} of {{project}} have?", f"Which labels does issue #{i['number']} of color-palette have?", "/",
      [T.goto(path(p) + "/-/issues?state=all"), T.goto(path(p) + f"/-/issues/{i['number']}"), T.stop(", ".join(labels(i)))], answer=labels(i))
for name in ["lab-inventory", "podcast-feed"]:
    p = proj(name); n = len(issue(p, state="closed"))
    T.add(9, "How many closed issues does {{project}} have?", f"How many closed issues does {name} have?", "/",
          [T.goto(path(p) + "/-/issues"), T.goto(path(p) + "/-/issues?state=closed"), T.stop(str(n))], exact=str(n))
p = proj("swift-metrics-kit")
n = one("SELECT COUNT(*) FROM issues i WHERE project_id=? AND state='opened' AND EXISTS (SELECT 1 FROM issue_labels il JOIN labels l ON l.id=il.label_id WHERE il.issue_id=i.id AND l.name='bug')", p["id"])[0]
T.add(10, "How many open issues labelled bug does {{project}} have?", "How many open issues labelled bug does swift-metrics-kit have?", "/",
      [T.goto(path(p) + "/-/issues"), T.goto(path(p) + "/-/issues?state=opened&label=bug"), T.stop(str(n))], exact=str(n))
p = proj("pixel-editor"); mr = allr("SELECT * FROM merge_requests WHERE project_id=? ORDER BY number", p["id"])[0]
T.add(11, "What is the source branch of merge request !{{n}} in {{project}}?", f"What is the source branch of merge request !{mr['number']} in pixel-editor?", "/",
      [T.goto(path(p) + "/-/merge_requests?state=all"), T.goto(path(p) + f"/-/merge_requests/{mr['number']}"), T.stop(mr["source_branch"])],
      exact=mr["source_branch"])
p = proj("solar-calc"); n = one("SELECT COUNT(*) FROM merge_requests WHERE project_id=? AND state='merged'", p["id"])[0]
T.add(12, "How many merge requests of {{project}} have been merged?", "How many merge requests of solar-calc have been merged?", "/",
      [T.goto(path(p) + "/-/merge_requests"), T.goto(path(p) + "/-/merge_requests?state=merged"), T.stop(str(n))], exact=str(n))
p = proj("csv-toolkit")
T.add(13, "What version number is declared in the pyproject.toml of {{project}}?", "What version number is declared in the pyproject.toml of csv-toolkit?", "/",
      [T.goto(path(p)), T.goto(path(p) + "/-/blob/main/pyproject.toml"), T.stop("0.3.1")], exact="0.3.1")
p = proj("habit-tracker")
T.add(14, "In {{project}}, what is the default value of `limit` in the initializer of the {{type}} type?", "In habit-tracker, what is the default value of `limit` in the initializer of the Streak type?", "/",
      [T.goto(path(p) + "/-/tree/main"), T.goto(path(p) + "/-/tree/main/Sources"), T.goto(path(p) + "/-/tree/main/Sources/HabitTracker"),
       T.goto(path(p) + "/-/blob/main/Sources/HabitTracker/Streak.swift"), T.stop("100")], exact="100")
u = user(5)
n = one("SELECT COUNT(*) FROM stars WHERE user_id=5")[0]
T.add(15, "How many projects has the user {{user}} starred?", f"How many projects has the user {u['username']} starred?", "/",
      [T.goto("/users/" + u["username"]), T.stop(str(n))], exact=str(n))
n = one("SELECT COUNT(*) FROM issues WHERE assignee_id=1 AND state='opened'")[0]
T.add(16, "How many open issues are assigned to me?", "How many open issues are assigned to me?", "/",
      [T.goto("/dashboard/issues"), T.stop(str(n))], exact=str(n))
p = proj("note-sync"); i = [x for x in issue(p) if one("SELECT COUNT(*) FROM notes WHERE issue_id=?", x["id"])[0] >= 2][0]
last = one("SELECT u.username FROM notes n JOIN users u ON u.id=n.author_id WHERE n.issue_id=? ORDER BY n.created_at DESC, n.id DESC", i["id"])[0]
T.add(17, "Who wrote the latest comment on issue #{{n}} of {{project}}?", f"Who wrote the latest comment on issue #{i['number']} of note-sync?", "/",
      [T.goto(path(p) + "/-/issues?state=all"), T.goto(path(p) + f"/-/issues/{i['number']}"), T.stop(last)], exact=last)
# navigation
p = proj("markdown-linter")
T.add(18, "Show the open issues of {{project}} labelled {{label}}.", "Show the open issues of markdown-linter labelled documentation.", "/",
      [T.goto(path(p)), T.goto(path(p) + "/-/issues"), T.goto(path(p) + "/-/issues?state=opened&label=documentation"), T.stop()],
      url=path(p) + "/-/issues?label=documentation")
p = proj("json-diff")
T.add(19, "Open the Package.swift file of {{project}}.", "Open the Package.swift file of json-diff.", "/",
      [T.goto(path(p)), T.goto(path(p) + "/-/blob/main/Package.swift"), T.stop()], url=path(p) + "/-/blob/main/Package.swift")
p = proj("sudoku-solver")
T.add(20, "Show the merged merge requests of {{project}}.", "Show the merged merge requests of sudoku-solver.", "/",
      [T.goto(path(p)), T.goto(path(p) + "/-/merge_requests"), T.goto(path(p) + "/-/merge_requests?state=merged"), T.stop()],
      url=path(p) + "/-/merge_requests?state=merged")
p = proj("library-catalog"); o = one("SELECT u.username FROM members m JOIN users u ON u.id=m.user_id WHERE m.project_id=? AND m.role='Owner'", p["id"])[0]
T.add(21, "Open the profile page of the owner of {{project}}.", "Open the profile page of the owner of library-catalog.", "/",
      [T.goto(path(p)), T.goto(path(p) + "/-/project_members"), T.goto("/users/" + o), T.stop()], url="/users/" + o)
# state changes
for name in ["tide-tables", "recipe-scaler"]:
    p = proj(name)
    T.add(22, "Star the project {{project}}.", f"Star the project {name}.", "/", [T.goto(path(p)), T.submit(path(p) + "/star"), T.stop()],
          html=[(path(p), ["Unstar", f"{stars(p) + 1} stars"])], reset=True)
p = proj("csv-toolkit")
T.add(23, "Create an issue in {{project}} titled \"{{title}}\" with the label {{label}}.", "Create an issue in csv-toolkit titled \"Joiner loses header order\" with the label bug.", "/",
      [T.goto(path(p) + "/-/issues"), T.goto(path(p) + "/-/issues/new"),
       T.submit(path(p) + "/-/issues", {"title": "Joiner loses header order", "description": "", "label": "bug"}), T.stop()],
      html=[(path(p) + "/-/issues?state=opened&label=bug", ["Joiner loses header order"])], reset=True)
for name in ["weather-station", "kanban-lite"]:
    p = proj(name); i = issue(p, state="opened")[0]
    T.add(24, "Close issue #{{n}} of {{project}}.", f"Close issue #{i['number']} of {name}.", "/",
          [T.goto(path(p) + "/-/issues"), T.goto(path(p) + f"/-/issues/{i['number']}"), T.submit(path(p) + f"/-/issues/{i['number']}/close"), T.stop()],
          html=[(path(p) + f"/-/issues/{i['number']}", ["Status: Closed"])], reset=True)
p = proj("bird-counter"); i = issue(p, state="closed")[0]
T.add(25, "Reopen issue #{{n}} of {{project}}.", f"Reopen issue #{i['number']} of bird-counter.", "/",
      [T.goto(path(p) + "/-/issues?state=closed"), T.goto(path(p) + f"/-/issues/{i['number']}"), T.submit(path(p) + f"/-/issues/{i['number']}/reopen"), T.stop()],
      html=[(path(p) + f"/-/issues/{i['number']}", ["Status: Open"])], reset=True)
p = proj("form-validator"); i = issue(p, state="opened")[1]
T.add(26, "Comment \"{{text}}\" on issue #{{n}} of {{project}}.", f"Comment \"I can take this one next week.\" on issue #{i['number']} of form-validator.", "/",
      [T.goto(path(p) + "/-/issues"), T.goto(path(p) + f"/-/issues/{i['number']}"),
       T.submit(path(p) + f"/-/issues/{i['number']}/notes", {"body": "I can take this one next week."}), T.stop()],
      html=[(path(p) + f"/-/issues/{i['number']}", ["arivera commented", "I can take this one next week."])], reset=True)
p = proj("swift-metrics-kit"); i = [x for x in issue(p, state="opened") if "performance" not in labels(x)][0]
T.add(27, "Add the label performance to issue #{{n}} of {{project}}.", f"Add the label performance to issue #{i['number']} of swift-metrics-kit.", "/",
      [T.goto(path(p) + "/-/issues"), T.goto(path(p) + f"/-/issues/{i['number']}"),
       T.submit(path(p) + f"/-/issues/{i['number']}/labels", {"label": "performance"}), T.stop()],
      html=[(path(p) + f"/-/issues/{i['number']}", ["Labels " + ", ".join(sorted(labels(i) + ["performance"]))])], reset=True)
p = proj("note-sync"); i = [x for x in issue(p, state="opened") if x["assignee_id"] != 1][0]
T.add(28, "Assign issue #{{n}} of {{project}} to yourself.", f"Assign issue #{i['number']} of note-sync to yourself.", "/",
      [T.goto(path(p) + "/-/issues"), T.goto(path(p) + f"/-/issues/{i['number']}"),
       T.submit(path(p) + f"/-/issues/{i['number']}/assign", {"assignee": ME}), T.stop()],
      html=[(path(p) + f"/-/issues/{i['number']}", ["Assignee arivera"])], reset=True)
p = proj("plant-watering"); mr = allr("SELECT * FROM merge_requests WHERE project_id=? AND state='opened' ORDER BY number", p["id"])[0]
T.add(29, "Merge merge request !{{n}} of {{project}}.", f"Merge merge request !{mr['number']} of plant-watering.", "/",
      [T.goto(path(p) + "/-/merge_requests"), T.goto(path(p) + f"/-/merge_requests/{mr['number']}"),
       T.submit(path(p) + f"/-/merge_requests/{mr['number']}/merge"), T.stop()],
      html=[(path(p) + f"/-/merge_requests/{mr['number']}", ["Status: Merged"])], reset=True)
p = proj("weather-station")
cand = one("SELECT username FROM users WHERE id NOT IN (SELECT user_id FROM members WHERE project_id=?) ORDER BY id LIMIT 1 OFFSET 3", p["id"])[0]
T.add(30, "Add {{user}} to {{project}} as a Developer.", f"Add {cand} to weather-station as a Developer.", "/",
      [T.goto(path(p)), T.goto(path(p) + "/-/project_members"),
       T.submit(path(p) + "/-/project_members", {"username": cand, "role": "Developer"}), T.stop()],
      html=[(path(p) + "/-/project_members", [f"{cand} Developer"])], reset=True)
# harder
p = proj("csv-toolkit"); qs = [x for x in issue(p, state="opened") if "question" in labels(x)]
if len(qs) < 2:
    p = proj("chat-relay"); qs = [x for x in issue(p, state="opened") if "question" in labels(x)]
steps = [T.goto(path(p) + "/-/issues"), T.goto(path(p) + "/-/issues?state=opened&label=question")]
for x in qs:
    steps += [T.goto(path(p) + f"/-/issues/{x['number']}"), T.submit(path(p) + f"/-/issues/{x['number']}/close")]
T.add(31, "Close every open issue labelled question in {{project}}.", f"Close every open issue labelled question in {p['name']}.", "/",
      steps + [T.stop()], html=[(path(p) + "/-/issues?state=opened&label=question", ["0 issues with label question"])], reset=True)
p = proj("csv-toolkit")
nxt = one("SELECT MAX(number) FROM issues WHERE project_id=?", p["id"])[0] + 1
T.add(32, "In {{project}}, create an issue titled \"{{title}}\" labelled bug, then add the label performance, assign it to yourself and comment \"{{text}}\".",
      "In csv-toolkit, create an issue titled \"Cleaner is slow on wide files\" labelled bug, then add the label performance, assign it to yourself and comment \"Profiling now.\".", "/",
      [T.goto(path(p) + "/-/issues"), T.goto(path(p) + "/-/issues/new"),
       T.submit(path(p) + "/-/issues", {"title": "Cleaner is slow on wide files", "description": "Files with 500 columns take minutes.", "label": "bug"}),
       T.submit(path(p) + f"/-/issues/{nxt}/labels", {"label": "performance"}),
       T.submit(path(p) + f"/-/issues/{nxt}/assign", {"assignee": ME}),
       T.submit(path(p) + f"/-/issues/{nxt}/notes", {"body": "Profiling now."}), T.stop()],
      html=[(path(p) + "/-/issues?state=opened&label=performance&assignee=arivera", ["Cleaner is slow on wide files"]),
            (path(p) + f"/-/issues/{nxt}", ["Profiling now.", "bug, performance"])], reset=True)
swift = sorted(allr("SELECT p.*, p.namespace||'/'||p.name AS full, (SELECT COUNT(*) FROM stars s WHERE s.project_id=p.id) n FROM projects p WHERE language='Swift'"), key=lambda r: -r["n"])
assert swift[2]["n"] != swift[3]["n"], "the third and fourth Swift projects tie on stars"
top3 = swift[:3]
steps = [T.goto("/?language=Swift")]
for x in top3: steps += [T.goto(path(x)), T.submit(path(x) + "/star")]
T.add(33, "Star the {{k}} most-starred {{language}} projects.", "Star the three most-starred Swift projects.", "/", steps + [T.stop()],
      html=[("/users/arivera", ["Starred 3 projects"] + [x["name"] for x in top3])], reset=True)
p = proj("podcast-feed")
mrs = allr("SELECT * FROM merge_requests WHERE project_id=? AND state='opened' ORDER BY number", p["id"])
steps = [T.goto(path(p) + "/-/merge_requests")]
for x in mrs: steps += [T.goto(path(p) + f"/-/merge_requests/{x['number']}"), T.submit(path(p) + f"/-/merge_requests/{x['number']}/merge")]
T.add(34, "Merge every open merge request of {{project}}.", "Merge every open merge request of podcast-feed.", "/", steps + [T.stop()],
      html=[(path(p) + "/-/merge_requests?state=opened", ["0 merge requests"])], reset=True)
# Mid-range: forms across pages.
p = proj("weather-station")
nxt = one("SELECT MAX(number) FROM issues WHERE project_id=?", p["id"])[0] + 1
T.add(35, "In {{project}}, open an issue titled \"{{title}}\" described as \"{{text}}\" with the label documentation, and assign it to yourself.",
      "In weather-station, open an issue titled \"Explain sensor calibration\" described as \"The README never says how to calibrate.\" with the label documentation, and assign it to yourself.", "/",
      [T.goto(path(p)), click("link", "Issues"), click("link", "New issue"),
       T.submit(path(p) + "/-/issues", {"title": "Explain sensor calibration", "description": "The README never says how to calibrate.", "label": "documentation"}),
       T.submit(path(p) + f"/-/issues/{nxt}/assign", {"assignee": ME}), T.stop()],
      html=[(path(p) + "/-/issues?state=opened&label=documentation&assignee=arivera", ["Explain sensor calibration"])], reset=True)
p = proj("csv-toolkit")
cand = one("SELECT username FROM users WHERE id NOT IN (SELECT user_id FROM members WHERE project_id=?) ORDER BY id LIMIT 1 OFFSET 5", p["id"])[0]
i = issue(p, state="opened")[0]
T.add(36, "Add {{user}} to {{project}} as a Maintainer and assign issue #{{n}} to them.",
      f"Add {cand} to csv-toolkit as a Maintainer and assign issue #{i['number']} to them.", "/",
      [T.goto(path(p)), click("link", "Members"), T.submit(path(p) + "/-/project_members", {"username": cand, "role": "Maintainer"}),
       click("link", "Issues"), click("link", i["title"]), T.submit(path(p) + f"/-/issues/{i['number']}/assign", {"assignee": cand}), T.stop()],
      html=[(path(p) + f"/-/issues/{i['number']}", [f"Assignee {cand}"])], reset=True)
p = proj("kanban-lite"); a, b = issue(p, state="opened")[1:3]
steps = [T.goto(path(p)), click("link", "Issues")]
for x in (a, b):
    steps += [click("link", x["title"]), T.submit(path(p) + f"/-/issues/{x['number']}/notes", {"body": "Fixed on main."}),
              T.submit(path(p) + f"/-/issues/{x['number']}/close"), click("link", "Issues")]
steps = steps[:-1]
T.add(37, "Comment \"{{text}}\" on issues #{{a}} and #{{b}} of {{project}} and close both.",
      f"Comment \"Fixed on main.\" on issues #{a['number']} and #{b['number']} of kanban-lite and close both.", "/",
      steps + [T.stop()], html=[(path(p) + f"/-/issues/{x['number']}", ["Status: Closed", "Fixed on main."]) for x in (a, b)], reset=True)
T.write(sys.argv[2])
