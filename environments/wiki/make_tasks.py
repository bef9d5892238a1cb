"""Writes environments/wiki/tasks.json from the seeded wiki database (seed 0, the default of runs).

Usage: nnetnav env dump --out /tmp/sites
       python3 environments/wiki/make_tasks.py /tmp/sites/wiki.sqlite environments/wiki/tasks.json
Answers and page checks are read from the data, so rerun this whenever the seed generator changes;
the WebSitesTests then replay every solution against the live site."""
import os, sqlite3, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "forum"))
from task_authoring import *
BACK = {"back": True}
db = sqlite3.connect(sys.argv[1]); db.row_factory = sqlite3.Row
T = Tasks("wiki", "__WIKI__", None)
one = lambda sql, *a: db.execute(sql, a).fetchone()
allr = lambda sql, *a: db.execute(sql, a).fetchall()
def art(t): return "/wiki/" + q(t.replace(" ", "_"))
def cat(c): return "/category/" + q(c.replace(" ", "_"))
def srch(t): return "/search?pattern=" + q(t)
def box(title, label):
    r = one("SELECT i.value FROM infobox i JOIN articles a ON a.id=i.article_id WHERE a.title=? AND i.label=?", title, label)
    return r[0] if r else None
def kind(k): return [r[0] for r in allr("SELECT title FROM articles WHERE kind=? ORDER BY id", k)]
def num(s): return int(s.split()[0].replace(",", ""))
countries, cities, rivers, mountains, people = kind("country"), kind("city"), kind("river"), kind("mountain"), kind("person")

for c in countries[:3]:
    cap = box(c, "Capital")
    T.add(1, "What is the capital of {{country}}?", f"What is the capital of {c}?", "/", [T.goto(srch(c)), T.stop(cap)], exact=cap)
for c in cities[4:6]:
    v = box(c, "Population")
    T.add(2, "What is the population of {{city}}?", f"What is the population of {c}?", "/", [T.goto(srch(c)), T.stop(v)], answer=[v])
for r in rivers[:2]:
    v = box(r, "Length")
    T.add(3, "How long is the {{river}}?", f"How long is the {r}?", "/", [T.goto(srch(r)), T.stop(v)], answer=[v.split()[0]])
m = mountains[0]; v = box(m, "Height")
T.add(4, "How high is {{mountain}}?", f"How high is {m}?", "/", [T.goto(srch(m)), T.stop(v)], answer=[v.split()[0]])
for p in people[:2]:
    born = box(p, "Born").split(",")[0]
    T.add(5, "In which year was {{person}} born?", f"In which year was {p} born?", "/", [T.goto(srch(p)), T.stop(born)], exact=born)
p = people[2]; f = box(p, "Field")
T.add(6, "In which field did {{person}} work?", f"In which field did {p} work?", "/", [T.goto(srch(p)), T.stop(f)], exact=f)
c = countries[5]; cur = box(c, "Currency")
T.add(7, "What is the currency of {{country}}?", f"What is the currency of {c}?", "/", [T.goto(srch(c)), T.stop(cur)], answer=[cur])
r = [x for x in rivers if "," in box(x, "Countries")][0]; cs = box(r, "Countries").split(", ")
T.add(8, "Through which countries does the {{river}} flow?", f"Through which countries does the {r} flow?", "/", [T.goto(srch(r)), T.stop(", ".join(cs))], answer=cs)
n = one("SELECT COUNT(*) FROM categories WHERE name='Rivers'")[0]
T.add(9, "How many articles are in the category Rivers?", "How many articles are in the category Rivers?", "/",
      [T.goto("/categories"), T.goto(cat("Rivers")), T.stop(str(n))], exact=str(n))
r = rivers[3]; mouth = box(r, "Mouth")
T.add(10, "Into which body of water does the {{river}} flow?", f"Into which body of water does the {r} flow?", "/", [T.goto(srch(r)), T.stop(mouth)], answer=[mouth.replace("the ", "", 1)])
# two hops
for c in countries[6:8]:
    cap = box(c, "Capital"); v = box(cap, "Population")
    T.add(11, "What is the population of the capital of {{country}}?", f"What is the population of the capital of {c}?", "/",
          [T.goto(srch(c)), click("link", cap), T.stop(v)], answer=[v])
p = people[3]; city = box(p, "Born").split(", ")[1]; country = box(city, "Country")
T.add(12, "In which country is the birthplace of {{person}}?", f"In which country is the birthplace of {p}?", "/",
      [T.goto(srch(p)), click("link", city), T.stop(country)], exact=country)
p = people[4]; city = box(p, "Born").split(", ")[1]; ind = box(city, "Main industry")
T.add(13, "What is the main industry of the city where {{person}} was born?", f"What is the main industry of the city where {p} was born?", "/",
      [T.goto(srch(p)), click("link", city), T.stop(ind)], exact=ind)
c = [x for x in countries if box(box(x, "Capital"), "River") != "none"][0]; cap = box(c, "Capital"); riv = box(cap, "River")
T.add(14, "Which river flows through the capital of {{country}}?", f"Which river flows through the capital of {c}?", "/",
      [T.goto(srch(c)), click("link", cap), T.stop(riv)], answer=[riv])
r = [x for x in rivers if box(x, "Source").startswith("Mount ")][0]; src = box(r, "Source"); h = box(src, "Height")
T.add(15, "How high is the mountain where the {{river}} rises?", f"How high is the mountain where the {r} rises?", "/",
      [T.goto(srch(r)), click("link", src), T.stop(h)], answer=[h.split()[0]])
# categories and comparisons
c = countries[1]; ppl = [r[0] for r in allr("SELECT a.title FROM categories c JOIN articles a ON a.id=c.article_id WHERE c.name=? ORDER BY a.title", f"People from {c}")]
if not ppl:
    c = [x for x in countries if one("SELECT COUNT(*) FROM categories WHERE name=?", f"People from {x}")[0] >= 2][0]
    ppl = [r[0] for r in allr("SELECT a.title FROM categories c JOIN articles a ON a.id=c.article_id WHERE c.name=? ORDER BY a.title", f"People from {c}")]
T.add(16, "How many scientists in the encyclopedia come from {{country}}?", f"How many scientists in the encyclopedia come from {c}?", "/",
      [T.goto(srch(c)), T.goto(cat(f"People from {c}")), T.stop(str(len(ppl)))], exact=str(len(ppl)))
c = countries[9]; cs = [r[0] for r in allr("SELECT a.title FROM categories c JOIN articles a ON a.id=c.article_id WHERE c.name=? ORDER BY a.title", f"Cities in {c}")]
pops = sorted(((num(box(x, "Population")), x) for x in cs), reverse=True)
assert pops[0][0] != pops[1][0], "two cities share the largest population"
T.add(17, "Which city in {{country}} has the largest population?", f"Which city in {c} has the largest population?", "/",
      [T.goto(srch(c)), T.goto(cat(f"Cities in {c}"))] + sum(([click("link", x), BACK] for x in cs), []) + [T.stop(pops[0][1])], exact=pops[0][1])
p = people[6]; city = box(p, "Born").split(", ")[1]; country = box(city, "Country"); lang = box(country, "Official language")
T.add(18, "What is the official language of the country where {{person}} was born?", f"What is the official language of the country where {p} was born?", "/",
      [T.goto(srch(p)), click("link", city), click("link", country), T.stop(lang)], exact=lang)
city = cities[10]; country = box(city, "Country"); cur = box(country, "Currency")
T.add(19, "What currency is used in the country that {{city}} belongs to?", f"What currency is used in the country that {city} belongs to?", "/",
      [T.goto(srch(city)), click("link", country), T.stop(cur)], answer=[cur])
a, b = rivers[5], rivers[6]; la, lb = num(box(a, "Length")), num(box(b, "Length"))
assert la != lb
T.add(20, "Which river is longer, the {{a}} or the {{b}}?", f"Which river is longer, the {a} or the {b}?", "/",
      [T.goto(srch(a)), T.goto(srch(b)), T.stop(a if la > lb else b)], exact=a if la > lb else b)
p = people[7]; born = int(box(p, "Born").split(",")[0]); died = int(box(p, "Died"))
T.add(21, "How many years did {{person}} live?", f"How many years did {p} live?", "/", [T.goto(srch(p)), T.stop(str(died - born))], answer=[str(died - born)])
a, b = people[8], people[9]; ba, bb = int(box(a, "Born").split(",")[0]), int(box(b, "Born").split(",")[0])
if ba == bb: b = people[10]; bb = int(box(b, "Born").split(",")[0])
T.add(22, "Who was born earlier, {{a}} or {{b}}?", f"Who was born earlier, {a} or {b}?", "/",
      [T.goto(srch(a)), T.goto(srch(b)), T.stop(a if ba < bb else b)], exact=a if ba < bb else b)
cont = box(countries[0], "Continent")
members = [r[0] for r in allr("SELECT a.title FROM categories c JOIN articles a ON a.id=c.article_id WHERE c.name=? ORDER BY a.title", f"Countries of {cont}")]
big = unique_top(members, lambda x: num(box(x, "Area")))
assert big, "two countries share the largest area"
T.add(23, "Which country of {{continent}} has the largest area?", f"Which country of {cont} has the largest area?", "/",
      [T.goto(cat("Countries")), T.goto(art(countries[0])), T.goto(cat(f"Countries of {cont}"))] + sum(([click("link", x), BACK] for x in members), []) + [T.stop(big)], exact=big)
p = people[11]; uni = box(p, "Institution").replace("University of ", ""); el = box(uni, "Elevation")
T.add(24, "At what elevation lies the city whose university {{person}} studied at?", f"At what elevation lies the city whose university {p} studied at?", "/",
      [T.goto(srch(p)), click("link", uni), T.stop(el)], answer=[el.split()[0]])
# navigation
city = cities[20]
T.add(25, "Open the article about {{city}}.", f"Open the article about {city}.", "/", [T.goto(srch(city)), T.stop()], url=art(city))
c = [x for x in countries if one("SELECT COUNT(*) FROM categories WHERE name=?", f"Rivers of {x}")[0] > 0][2]
T.add(26, "Open the list of rivers of {{country}}.", f"Open the list of rivers of {c}.", "/",
      [T.goto(srch(c)), T.goto(cat(f"Rivers of {c}")), T.stop()], url=cat(f"Rivers of {c}"))
c = countries[12]; cap = box(c, "Capital")
T.add(27, "Open the article about the capital of {{country}}.", f"Open the article about the capital of {c}.", "/",
      [T.goto(srch(c)), click("link", cap), T.stop()], url=art(cap))
T.add(28, "Search the encyclopedia for \"{{term}}\".", "Search the encyclopedia for \"shipbuilding\".", "/",
      [T.goto(srch("shipbuilding")), T.stop()], url=srch("shipbuilding"))
r = [x for x in rivers if box(x, "Source").startswith("Mount ")][1]; src = box(r, "Source")
T.add(29, "Open the article about the mountain where the {{river}} rises.", f"Open the article about the mountain where the {r} rises.", "/",
      [T.goto(srch(r)), click("link", src), T.stop()], url=art(src))
# longer chains
p = people[12]; city = box(p, "Born").split(", ")[1]; country = box(city, "Country"); cap = box(country, "Capital"); pop = box(cap, "Population")
T.add(30, "What is the population of the capital of the country where {{person}} was born?",
      f"What is the population of the capital of the country where {p} was born?", "/",
      [T.goto(srch(p)), click("link", city), click("link", country), click("link", cap), T.stop(pop)], answer=[pop])
c = countries[14]; cs = [r[0] for r in allr("SELECT a.title FROM categories c JOIN articles a ON a.id=c.article_id WHERE c.name=? ORDER BY a.title", f"Cities in {c}")]
total = sum(num(box(x, "Population")) for x in cs)
T.add(31, "What is the combined population of all cities of {{country}} listed in the encyclopedia?",
      f"What is the combined population of all cities of {c} listed in the encyclopedia?", "/",
      [T.goto(srch(c)), T.goto(cat(f"Cities in {c}"))] + sum(([click("link", x), BACK] for x in cs), []) + [T.stop(f"{total:,}", computed=True)], answer=[f"{total:,}"])
chem = [r[0] for r in allr("SELECT a.title FROM categories c JOIN articles a ON a.id=c.article_id WHERE c.name='Chemistry scientists' ORDER BY a.title")]
oldest = unique_top(chem, lambda x: -int(box(x, "Born").split(",")[0]))
assert oldest, "two chemists share the earliest birth year"
T.add(32, "Which chemist in the encyclopedia was born first?", "Which chemist in the encyclopedia was born first?", "/",
      [T.goto("/categories"), T.goto(cat("Chemistry scientists"))] + sum(([click("link", x), BACK] for x in chem), []) + [T.stop(oldest)], exact=oldest)
longest = unique_top(rivers, lambda x: num(box(x, "Length")))
assert longest, "two rivers share the greatest length"
T.add(33, "Which river in the encyclopedia is the longest, and where does it rise?", "Which river in the encyclopedia is the longest, and where does it rise?", "/",
      [T.goto(cat("Rivers"))] + sum(([click("link", x), BACK] for x in rivers), []) + [T.stop(f"{longest}, rising at {box(longest, 'Source')}")],
      answer=[longest.replace(" River", ""), box(longest, "Source").replace("the hills of ", "")])
# Mid-range: chains through links.
c = [x for x in countries if box(box(x, "Capital"), "River") != "none"][1]; cap = box(c, "Capital"); riv = box(cap, "River")
through = box(riv, "Countries").split(", ")
T.add(40, "Through which countries does the river of the capital of {{country}} flow?",
      f"Through which countries does the river of the capital of {c} flow?", "/",
      [T.goto(srch(c)), click("link", cap), click("link", riv), T.stop(", ".join(through))], answer=through)
r = [x for x in rivers if len(allr("SELECT 1 FROM infobox i JOIN articles a ON a.id=i.article_id WHERE i.label='River' AND i.value=?", x)) >= 3][0]
on = [x[0] for x in allr("SELECT a.title FROM infobox i JOIN articles a ON a.id=i.article_id WHERE i.label='River' AND i.value=? ORDER BY a.title", r)]
high = unique_top(on, lambda x: num(box(x, "Elevation")))
assert high
T.add(41, "Of the cities on the {{river}}, which lies highest?", f"Of the cities on the {r}, which lies highest?", "/",
      [T.goto(srch(r))] + sum(([click("link", x), BACK] for x in on), []) + [T.stop(high)], exact=high)
T.write(sys.argv[2])
