"""Helpers for make_tasks.py of shop and admin: queries on the pristine store database (seed 0)
and builders for WebArena-format task configs with scripted solutions.

Usage: python3 environments/shop/make_tasks.py <data-dir>/pristine/store-v1-seed0.sqlite
(the file `nnetnav env serve --data-dir <data-dir>` builds). Answers come from the database, so
regenerate the task files whenever the store's seed generator changes.
"""
import json, os, sqlite3, sys
if len(sys.argv) != 2:
    sys.exit("usage: make_tasks.py PATH/TO/store-v1-seed0.sqlite")
DB = sqlite3.connect(sys.argv[1])
DB.row_factory = sqlite3.Row
def q(sql, *a): return DB.execute(sql, a).fetchall()
def q1(sql, *a):
    r = DB.execute(sql, a).fetchone()
    return r[0] if r is not None and len(r.keys()) == 1 else r
def money(c):
    s = f"{abs(c)//100:,}"
    return ("-$" if c < 0 else "$") + s + f".{abs(c)%100:02d}"
def click(role, name, index=None):
    l = {"role": role, "name": name}
    if index is not None: l["index"] = index
    return {"click": l}
def type_(role, name, text, enter=False): return {"type": {"role": role, "name": name}, "text": text, "enter": enter}
def select(role, name, value): return {"select": {"role": role, "name": name}, "value": value}
def goto(url): return {"goto": url}
def stop(a=""): return {"stop": a}
def string_eval(exact=None, must=None, fuzzy=None):
    ra = {}
    if exact is not None: ra["exact_match"] = exact
    if must is not None: ra["must_include"] = must
    if fuzzy is not None: ra["fuzzy_match"] = fuzzy
    return {"eval_types": ["string_match"], "reference_answers": ra, "reference_url": "", "program_html": []}
def url_eval(url, note="GOLD in PRED"):
    return {"eval_types": ["url_match"], "reference_answers": None, "reference_url": url, "url_note": note, "program_html": []}
def db_eval(checks, html=None):
    types = ["db_check"] + (["program_html"] if html else [])
    return {"eval_types": types, "reference_answers": None, "reference_url": "", "program_html": html or [],
            "db_checks": [{"sql": s, "expected": e, "note": n} for (s, e, n) in checks]}
def html_check(url, must=None, exclude=None, exact=None, locator=""):
    rc = {}
    if must: rc["must_include"] = must
    if exclude: rc["must_exclude"] = exclude
    if exact: rc["exact_match"] = exact
    return {"url": url, "locator": locator, "required_contents": rc}
class TaskList:
    def __init__(self, site, first_id, placeholder, default_login):
        self.site, self.next, self.ph, self.login, self.tasks = site, first_id, placeholder, default_login, []
    def add(self, intent, ev, solution, start="", login="default", template=None):
        login = self.login if login == "default" else login
        steps = [s for s in solution if "stop" not in s]
        t = {"task_id": self.next, "sites": [self.site], "intent": intent,
             "start_url": self.ph + start, "require_login": login is not None,
             "storage_state": None, "login": login, "require_reset": any(k in ev["eval_types"] for k in ["db_check"]),
             "intent_template": template or intent, "difficulty": len(solution),
             "eval": ev, "solution": solution}
        self.tasks.append(t); self.next += 1
    def write(self, name):
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", name, "tasks.json")
        with open(path, "w") as f: json.dump(self.tasks, f, indent=2, ensure_ascii=False); f.write("\n")
        print(path, len(self.tasks), "tasks; difficulties", sorted(t["difficulty"] for t in self.tasks))
