"""Helpers for writing task configs (WebArena format plus a scripted `solution`) from a seeded
site database. Used by environments/{forum,code,wiki}/make_tasks.py."""
import json, sqlite3, urllib.parse
def q(s): return urllib.parse.quote(s, safe='')
class Tasks:
    def __init__(self, site, placeholder, login, forms=None, effects=None):
        """`login`: the account the harness signs in as (None: no login). `forms`: turns a form
        submission (path, fields) into the browser steps a person takes (fill labelled fields, click).
        `effects`: the database checks (sql, expected) that submission must leave true."""
        self.site, self.ph, self.login, self.forms, self.effects, self.items = site, placeholder, login, forms, effects, []
        self.pending = []
    def add(self, template_id, template, intent, start, solution, *, answer=None, exact=None, url=None, html=None,
            db=None, reset=False):
        flat = []
        for s in solution: flat += s if isinstance(s, list) else [s]
        solution = flat
        if db is None and self.pending: db = self.pending
        self.pending = []
        types = []
        ref = None
        if answer is not None or exact is not None:
            types.append("string_match")
            ref = {"exact_match": exact} if exact is not None else {"must_include": answer}
        if url is not None: types.append("url_match")
        if html is not None: types.append("program_html")
        if db is not None: types.append("db_check")
        # Browser actions a person needs: every step but the final stop, plus that stop.
        steps = len(solution)
        self.items.append({
            "sites": [self.site], "task_id": len(self.items), "require_login": self.login is not None,
            **({"login": self.login} if self.login else {}),
            "storage_state": None, "start_url": self.ph + start, "geolocation": None,
            "intent_template": template, "instantiation_dict": {}, "intent": intent,
            "require_reset": reset, "intent_template_id": template_id, "difficulty": steps,
            "eval": {"eval_types": types, "reference_answers": ref,
                     "reference_url": (self.ph + url) if url is not None else "",
                     "program_html": [{"url": self.ph + h[0], "locator": "", "required_contents": {"must_include": h[1]}} for h in (html or [])],
                     **({"db_checks": [{"site": self.site, "sql": q_, "expected": e_} for q_, e_ in db]} if db else {}),
                     "string_note": "", "url_note": "GOLD in PRED"},
            "solution": solution})
    def goto(self, path): return {"goto": self.ph + path}
    def submit(self, path, fields=None):
        """The steps that submit the form posting to `path` on the current page."""
        self.pending += self.effects(path, fields or {}) if self.effects else []
        return self.forms(path, fields or {})
    def stop(self, answer="", computed=False):
        """`computed`: the answer is derived (a sum, a comparison) rather than shown on a page."""
        return {"stop": answer, **({"computed": True} if computed else {})}
    def write(self, path):
        json.dump(self.items, open(path, "w"), indent=2, ensure_ascii=False)
        print(path, len(self.items), "tasks; difficulties", sorted(set(t["difficulty"] for t in self.items)))

def click(role, name): return {"click": {"role": role, "name": name}}
def type_(name, text): return {"type": {"role": "textbox", "name": name}, "text": text, "enter": False}
def select(name, value): return {"select": {"role": "combobox", "name": name}, "value": value}
def sql_text(s): return "'" + s.replace("'", "''") + "'"

def unique_top(rows, key):
    """The row with the largest `key`, or None when several share it (an ambiguous question)."""
    rows = sorted(rows, key=key, reverse=True)
    if not rows or (len(rows) > 1 and key(rows[0]) == key(rows[1])): return None
    return rows[0]
