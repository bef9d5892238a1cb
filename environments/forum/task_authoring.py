"""Helpers for writing task configs (WebArena format plus a scripted `solution`) from a seeded
site database. Used by environments/{forum,code,wiki}/make_tasks.py."""
import json, sqlite3, urllib.parse
def q(s): return urllib.parse.quote(s, safe='')
class Tasks:
    def __init__(self, site, placeholder, login):
        self.site, self.ph, self.login, self.items = site, placeholder, login, []
    def add(self, template_id, template, intent, start, solution, *, answer=None, exact=None, url=None, html=None, reset=False):
        types = []
        ref = None
        if answer is not None or exact is not None:
            types.append("string_match")
            ref = {"exact_match": exact} if exact is not None else {"must_include": answer}
        if url is not None: types.append("url_match")
        if html is not None: types.append("program_html")
        # Browser actions a person needs: a click per page visited, a type or select per visible
        # form field plus the click on the submit button, and the final stop.
        steps = 1 + sum(1 if s["action"] == "goto" else 1 + len([f for f in s.get("fields", {}) if f != "value"])
                        for s in solution if s["action"] != "stop")
        self.items.append({
            "sites": [self.site], "task_id": len(self.items), "require_login": self.login,
            "storage_state": None, "start_url": self.ph + start, "geolocation": None,
            "intent_template": template, "instantiation_dict": {}, "intent": intent,
            "require_reset": reset, "intent_template_id": template_id, "difficulty": steps,
            "eval": {"eval_types": types, "reference_answers": ref,
                     "reference_url": (self.ph + url) if url is not None else "",
                     "program_html": [{"url": self.ph + h[0], "locator": "", "required_contents": {"must_include": h[1]}} for h in (html or [])],
                     "string_note": "", "url_note": "GOLD in PRED"},
            "solution": solution})
    def goto(self, path): return {"action": "goto", "url": self.ph + path}
    def submit(self, path, fields=None): return {"action": "submit", "url": self.ph + path, "fields": fields or {}}
    def stop(self, answer="", computed=False):
        """`computed`: the answer is derived (a sum, a comparison) rather than shown on a page."""
        return {"action": "stop", "answer": answer, **({"computed": True} if computed else {})}
    def write(self, path):
        json.dump(self.items, open(path, "w"), indent=2, ensure_ascii=False)
        print(path, len(self.items), "tasks; difficulties", sorted(set(t["difficulty"] for t in self.items)))

def unique_top(rows, key):
    """The row with the largest `key`, or None when several share it (an ambiguous question)."""
    rows = sorted(rows, key=key, reverse=True)
    if not rows or (len(rows) > 1 and key(rows[0]) == key(rows[1])): return None
    return rows[0]
