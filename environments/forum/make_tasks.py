"""Writes environments/forum/tasks.json from the seeded forum database (seed 0, the default of runs).

Usage: nnetnav env dump --out /tmp/sites
       python3 environments/forum/make_tasks.py /tmp/sites/forum.sqlite environments/forum/tasks.json
Answers and page checks are read from the data, so rerun this whenever the seed generator changes;
the WebSitesTests then replay every solution against the live site."""
import os, sqlite3, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "forum"))
from task_authoring import *
db = sqlite3.connect(sys.argv[1]); db.row_factory = sqlite3.Row
ME = "river_otter"

def forms(path, f):
    if path.endswith("/unsubscribe"): return [click("button", "Unsubscribe")]
    if path.endswith("/subscribe"): return [click("button", "Subscribe")]
    if path.endswith("/vote"): return [click("button", "Upvote" if f["value"] == "1" else "Downvote")]
    if path.endswith("/comment"): return [type_("Your comment", f["body"]), click("button", "Post comment")]
    if path == "/submit":
        return [select("Forum", f["forum"]), type_("Title", f["title"])] + \
               ([type_("Body", f["body"])] if f.get("body") else []) + [click("button", "Create post")]
    raise ValueError(path)

def effects(path, f):
    me = f"(SELECT id FROM users WHERE username = {sql_text(ME)})"
    parts = path.split("/")
    if path.endswith("subscribe"):
        return [(f"SELECT COUNT(*) FROM subscriptions WHERE user_id = {me} AND forum_id = "
                 f"(SELECT id FROM forums WHERE name = {sql_text(parts[2])})", 0 if path.endswith("/unsubscribe") else 1)]
    if path.endswith("/vote"):
        return [(f"SELECT value FROM votes WHERE user_id = {me} AND post_id = {parts[3]}", int(f["value"]))]
    if path.endswith("/comment"):
        return [(f"SELECT COUNT(*) FROM comments WHERE user_id = {me} AND post_id = {parts[3]} AND body = {sql_text(f['body'])}", 1)]
    if path == "/submit":
        return [(f"SELECT COUNT(*) FROM posts WHERE user_id = {me} AND title = {sql_text(f['title'])} AND body = {sql_text(f.get('body', ''))} "
                 f"AND forum_id = (SELECT id FROM forums WHERE name = {sql_text(f['forum'])})", 1)]
    raise ValueError(path)

T = Tasks("forum", "__FORUM__", ME, forms, effects)
one = lambda sql, *a: db.execute(sql, a).fetchone()
allr = lambda sql, *a: db.execute(sql, a).fetchall()
POSTS = """SELECT p.id, p.title, f.name forum, u.username author, p.created_at,
  (SELECT COALESCE(SUM(value),0) FROM votes v WHERE v.post_id=p.id) score,
  (SELECT COUNT(*) FROM comments c WHERE c.post_id=p.id) comments
  FROM posts p JOIN forums f ON f.id=p.forum_id JOIN users u ON u.id=p.user_id"""
def post_by_title(t): return one(POSTS + " WHERE p.title=?", t)
def unique_posts(forum, n, offset=0):
    rows = allr(POSTS + " WHERE f.name=? ORDER BY p.id", forum)
    return [r for r in rows if len(allr("SELECT 1 FROM posts WHERE title=?", r["title"])) == 1][offset:offset+n]
def search_path(t): return "/search?q=" + q(t)

# 1-2 steps: information on one page
n = one("SELECT COUNT(*) FROM forums")[0]
T.add(1, "How many forums are there on this site?", "How many forums are there on this site?", "/",
      [T.goto("/forums"), T.stop(str(n))], exact=str(n))
for name in ["gaming", "history"]:
    d = one("SELECT description FROM forums WHERE name=?", name)[0]
    T.add(2, "What is the description of the forum f/{{forum}}?", f"What is the description of the forum f/{name}?", "/",
          [T.goto("/f/" + name), T.stop(d)], answer=[d])
for name in ["science", "Boston"]:
    s = one("SELECT COUNT(*) FROM subscriptions s JOIN forums f ON f.id=s.forum_id WHERE f.name=?", name)[0]
    T.add(3, "How many subscribers does f/{{forum}} have?", f"How many subscribers does f/{name} have?", "/forums",
          [T.goto("/forums"), T.stop(str(s))], exact=str(s))
def top_post(name, column="score"):
    return unique_top(allr(POSTS + " WHERE f.name=?", name), lambda r: r[column])
for name in [n for n in ["music", "Denver", "movies", "Boston", "history"] if top_post(n)][:2]:
    top = top_post(name)
    T.add(4, "What is the title of the highest-scoring post in f/{{forum}}?", f"What is the title of the highest-scoring post in f/{name}?",
          "/", [T.goto(f"/f/{name}"), T.goto(f"/f/{name}?sort=top"), T.stop(top["title"])], answer=[top["title"]])
for name in ["cooking", "travel"]:
    new = allr(POSTS + " WHERE f.name=? ORDER BY p.created_at DESC, p.id DESC", name)[0]
    T.add(5, "Who submitted the most recent post in f/{{forum}}?", f"Who submitted the most recent post in f/{name}?", "/",
          [T.goto(f"/f/{name}"), T.stop(new["author"])], answer=[new["author"]])
# 3-4 steps: search, open, read
for p in unique_posts("books", 1) + unique_posts("technology", 1):
    T.add(6, "Who submitted the post titled \"{{title}}\"?", f"Who submitted the post titled \"{p['title']}\"?", "/",
          [T.goto(search_path(p["title"])), click("link", p["title"]), T.stop(p["author"])], answer=[p["author"]])
for p in unique_posts("fitness", 1) + unique_posts("photography", 1):
    T.add(7, "How many comments does the post \"{{title}}\" have?", f"How many comments does the post \"{p['title']}\" have?", "/",
          [T.goto(search_path(p["title"])), click("link", p["title"]), T.stop(str(p["comments"]))], exact=str(p["comments"]))
for p in unique_posts("movies", 1, 2) + unique_posts("gardening", 1, 3):
    T.add(8, "What is the score of the post \"{{title}}\"?", f"What is the score of the post \"{p['title']}\"?", "/",
          [T.goto(search_path(p["title"])), click("link", p["title"]), T.stop(str(p["score"]))], exact=str(p["score"]))
for p in unique_posts("Portland", 1, 1):
    u = one("SELECT * FROM users WHERE username=?", p["author"])
    T.add(9, "When did the author of the post \"{{title}}\" join the site? Answer with the date.",
          f"When did the author of the post \"{p['title']}\" join the site? Answer with the date.", "/",
          [T.goto(search_path(p["title"])), click("link", p["title"]), click("link", p["author"]),
           T.stop(u["joined_at"][:10])], answer=[u["joined_at"][:10]])
    cnt = one("SELECT COUNT(*) FROM posts WHERE user_id=?", u["id"])[0]
    T.add(10, "How many posts has the author of \"{{title}}\" submitted in total?",
          f"How many posts has the author of \"{p['title']}\" submitted in total?", "/",
          [T.goto(search_path(p["title"])), click("link", p["title"]), click("link", p["author"]),
           T.stop(str(cnt))], exact=str(cnt))
for term in ["sourdough", "Red Rocks"]:
    c = one("SELECT COUNT(*) FROM posts WHERE title LIKE ? OR body LIKE ?", f"%{term}%", f"%{term}%")[0]
    T.add(11, "How many posts mention \"{{term}}\"?", f"How many posts mention \"{term}\"?", "/",
          [T.goto(search_path(term)), T.stop(str(c))], exact=str(c))
# navigation
T.add(12, "Open the forum about {{topic}}.", "Open the forum about photography.", "/",
      [T.goto("/forums"), T.goto("/f/photography"), T.stop()], url="/f/photography")
T.add(13, "Show the most commented posts of f/{{forum}}.", "Show the most commented posts of f/science.", "/",
      [T.goto("/f/science"), T.goto("/f/science?sort=comments"), T.stop()], url="/f/science?sort=comments")
p = unique_posts("history", 1, 2)[0]
T.add(14, "Open the profile of the user who posted \"{{title}}\".", f"Open the profile of the user who posted \"{p['title']}\".", "/",
      [T.goto(search_path(p["title"])), click("link", p["title"]), click("link", p["author"]), T.stop()],
      url="/user/" + q(p["author"]))
T.add(15, "Search the forum for posts about \"{{term}}\".", "Search the forum for posts about \"night trains\".", "/",
      [T.goto(search_path("night trains")), T.stop()], url=search_path("night trains"))
# state changes
for name in ["gaming", "Seattle"]:
    T.add(16, "Subscribe to f/{{forum}}.", f"Subscribe to f/{name}.", "/", [T.goto(f"/f/{name}"), T.submit(f"/f/{name}/subscribe"), T.stop()],
          html=[(f"/user/{ME}", [f"f/{name}", "Subscriptions (4)"])], reset=True)
T.add(17, "Unsubscribe from f/{{forum}}.", "Unsubscribe from f/cooking.", "/", [T.goto("/f/cooking"), T.submit("/f/cooking/unsubscribe"), T.stop()],
      html=[(f"/user/{ME}", ["Subscriptions (2)"])], reset=True)
for p in unique_posts("music", 1, 1) + unique_posts("Boston", 1, 2):
    T.add(18, "Upvote the post \"{{title}}\".", f"Upvote the post \"{p['title']}\".", "/",
          [T.goto(search_path(p["title"])), click("link", p["title"]), T.submit(f"/f/{p['forum']}/{p['id']}/vote", {"value": "1"}), T.stop()],
          html=[(f"/f/{p['forum']}/{p['id']}", ["You upvoted this post."])], reset=True)
p = unique_posts("technology", 1, 3)[0]
T.add(19, "Downvote the post \"{{title}}\".", f"Downvote the post \"{p['title']}\".", "/",
      [T.goto(search_path(p["title"])), click("link", p["title"]), T.submit(f"/f/{p['forum']}/{p['id']}/vote", {"value": "-1"}), T.stop()],
      html=[(f"/f/{p['forum']}/{p['id']}", ["You downvoted this post."])], reset=True)
for p, text in [(unique_posts("books", 1, 4)[0], "Thanks, adding this to my reading list."),
                (unique_posts("cooking", 1, 2)[0], "I tried this last weekend and it worked.")]:
    T.add(20, "Reply to the post \"{{title}}\" with the comment \"{{text}}\".", f"Reply to the post \"{p['title']}\" with the comment \"{text}\".", "/",
          [T.goto(search_path(p["title"])), click("link", p["title"]),
           T.submit(f"/f/{p['forum']}/{p['id']}/comment", {"body": text}), T.stop()],
          html=[(f"/f/{p['forum']}/{p['id']}", [text, ME])], reset=True)
for forum, title, body in [("books", "Looking for novels set in lighthouses", "Any suggestions for quiet novels set by the sea?"),
                           ("Denver", "Lost a blue bike helmet on the Cherry Creek trail", "Dropped it near the 6th Avenue bridge on Sunday.")]:
    T.add(21, "Create a post in f/{{forum}} titled \"{{title}}\" with the body \"{{body}}\".",
          f"Create a post in f/{forum} titled \"{title}\" with the body \"{body}\".", "/",
          [T.goto(f"/f/{forum}"), T.goto(f"/submit?forum={forum}"), T.submit("/submit", {"forum": forum, "title": title, "body": body}), T.stop()],
          html=[(f"/user/{ME}", [title, f"f/{forum}"]), (f"/f/{forum}", [title])], reset=True)
# harder: combine reading and acting
g = [n for n in ["gaming", "photography", "fitness", "travel", "Portland"] if top_post(n)][0]
top = top_post(g)
T.add(22, "Upvote the highest-scoring post in f/{{forum}}.", f"Upvote the highest-scoring post in f/{g}.", "/",
      [T.goto(f"/f/{g}"), T.goto(f"/f/{g}?sort=top"), click("link", top["title"]),
       T.submit(f"/f/{g}/{top['id']}/vote", {"value": "1"}), T.stop()],
      html=[(f"/f/{g}/{top['id']}", ["You upvoted this post."])], reset=True)
g = [r[0] for r in allr("SELECT name FROM forums ORDER BY id DESC") if top_post(r[0], "comments")][0]
most = top_post(g, "comments")
T.add(23, "Comment \"{{text}}\" on the most commented post in f/{{forum}}.", f"Comment \"Great discussion, thanks all.\" on the most commented post in f/{g}.", "/",
      [T.goto(f"/f/{g}"), T.goto(f"/f/{g}?sort=comments"), click("link", most["title"]),
       T.submit(f"/f/{g}/{most['id']}/comment", {"body": "Great discussion, thanks all."}), T.stop()],
      html=[(f"/f/{g}/{most['id']}", ["Great discussion, thanks all."])], reset=True)
counts = allr("SELECT f.name, COUNT(*) n FROM posts p JOIN forums f ON f.id=p.forum_id GROUP BY f.id")
p = unique_posts("movies", 1, 4)[0]
T.add(24, "Subscribe to the forum in which \"{{title}}\" was posted.", f"Subscribe to the forum in which \"{p['title']}\" was posted.", "/",
      [T.goto(search_path(p["title"])), click("link", p["title"]), T.goto("/f/movies"), T.submit("/f/movies/subscribe"), T.stop()],
      html=[(f"/user/{ME}", ["f/movies", "Subscriptions (4)"])], reset=True)
p = unique_posts("travel", 1, 2)[0]
T.add(25, "Find the post \"{{title}}\", then create a post in f/{{forum}} titled \"{{new}}\" whose body is the name of its author.",
      f"Find the post \"{p['title']}\", then create a post in f/travel titled \"Shout-out to a helpful traveller\" whose body is the name of its author.", "/",
      [T.goto(search_path(p["title"])), click("link", p["title"]), T.goto("/submit?forum=travel"),
       T.submit("/submit", {"forum": "travel", "title": "Shout-out to a helpful traveller", "body": p["author"]}), T.stop()],
      html=[(f"/user/{ME}", ["Shout-out to a helpful traveller", p["author"]])], reset=True)
p1, p2 = unique_posts("Seattle", 2, 1)
T.add(26, "Upvote both \"{{a}}\" and \"{{b}}\".", f"Upvote both \"{p1['title']}\" and \"{p2['title']}\".", "/",
      [T.goto(search_path(p1["title"])), click("link", p1["title"]), T.submit(f"/f/Seattle/{p1['id']}/vote", {"value": "1"}),
       T.goto(search_path(p2["title"])), click("link", p2["title"]), T.submit(f"/f/Seattle/{p2['id']}/vote", {"value": "1"}), T.stop()],
      html=[(f"/f/Seattle/{p1['id']}", ["You upvoted this post."]), (f"/f/Seattle/{p2['id']}", ["You upvoted this post."])], reset=True)
T.add(27, "Subscribe to f/{{a}}, f/{{b}} and f/{{c}}, and unsubscribe from f/{{d}}.",
      "Subscribe to f/music, f/history and f/Portland, and unsubscribe from f/books.", "/",
      [T.goto("/f/music"), T.submit("/f/music/subscribe"), T.goto("/f/history"), T.submit("/f/history/subscribe"),
       T.goto("/f/Portland"), T.submit("/f/Portland/subscribe"), T.goto("/f/books"), T.submit("/f/books/unsubscribe"), T.stop()],
      html=[(f"/user/{ME}", ["Subscriptions (5)", "f/music", "f/history", "f/Portland"])], reset=True)
first = allr(POSTS + " WHERE f.name='photography' ORDER BY p.created_at DESC, p.id DESC")[0]
latest = allr(POSTS + " WHERE u.username=? ORDER BY p.created_at DESC, p.id DESC", first["author"])[0]
T.add(28, "What is the title of the most recent post by the author of the newest post in f/{{forum}}?",
      "What is the title of the most recent post by the author of the newest post in f/photography?", "/",
      [T.goto("/f/photography"), click("link", first["author"]), T.stop(latest["title"])], answer=[latest["title"]])
p = unique_posts("gardening", 1, 5)[0]
T.add(29, "Reply to \"{{title}}\" with \"{{text}}\", upvote it, and subscribe to its forum.",
      f"Reply to \"{p['title']}\" with \"Following this thread.\", upvote it, and subscribe to its forum.", "/",
      [T.goto(search_path(p["title"])), click("link", p["title"]), T.submit(f"/f/gardening/{p['id']}/comment", {"body": "Following this thread."}),
       T.submit(f"/f/gardening/{p['id']}/vote", {"value": "1"}), T.goto("/f/gardening"), T.submit("/f/gardening/subscribe"), T.stop()],
      html=[(f"/f/gardening/{p['id']}", ["Following this thread.", "You upvoted this post."]), (f"/user/{ME}", ["f/gardening"])], reset=True)
fewest = min(r["n"] for r in counts)
T.add(30, "How many posts does the forum with the fewest posts have?", "How many posts does the forum with the fewest posts have?", "/",
      [T.goto("/forums"), T.stop(str(fewest))], exact=str(fewest))
p = unique_posts("fitness", 1, 4)[0]
c = one("SELECT COUNT(*) FROM comments WHERE user_id=(SELECT id FROM users WHERE username=?)", p["author"])[0]
T.add(31, "How many comments has the author of \"{{title}}\" written?", f"How many comments has the author of \"{p['title']}\" written?", "/",
      [T.goto(search_path(p["title"])), click("link", p["title"]), click("link", p["author"]), T.stop(str(c))], exact=str(c))
tops = []
steps = []
for name in [n for n in ["music", "movies", "books", "technology", "history", "Boston", "Denver", "travel"] if top_post(n)][:3]:
    top = top_post(name)
    tops.append((name, top))
    steps += [T.goto(f"/f/{name}"), T.goto(f"/f/{name}?sort=top"), click("link", top["title"]),
              T.submit(f"/f/{name}/{top['id']}/vote", {"value": "1"})]
T.add(33, "Upvote the highest-scoring post in each of f/{{a}}, f/{{b}} and f/{{c}}.",
      "Upvote the highest-scoring post in each of " + ", ".join(f"f/{n}" for n, _ in tops[:2]) + f" and f/{tops[2][0]}.", "/", steps + [T.stop()],
      html=[(f"/f/{n}/{t['id']}", ["You upvoted this post."]) for n, t in tops], reset=True)
# Mid-range: several pages and a form.
T.add(34, "Create a post in f/{{forum}} titled \"{{title}}\" with the body \"{{body}}\", then subscribe to f/{{forum}}.",
      "Create a post in f/gardening titled \"Seed swap this Saturday\" with the body \"Bring labelled envelopes.\", then subscribe to f/gardening.", "/",
      [T.goto("/forums"), click("link", "f/gardening"), click("link", "Submit a new post to f/gardening"),
       T.submit("/submit", {"forum": "gardening", "title": "Seed swap this Saturday", "body": "Bring labelled envelopes."}),
       click("link", "f/gardening"), T.submit("/f/gardening/subscribe"), T.stop()],
      html=[(f"/user/{ME}", ["Seed swap this Saturday", "f/gardening", "Subscriptions (4)"])], reset=True)
p = unique_posts("Portland", 1, 3)[0]
latest = allr(POSTS + " WHERE u.username=? ORDER BY p.created_at DESC, p.id DESC", p["author"])[0]
T.add(35, "Find the author of \"{{title}}\" and reply \"{{text}}\" to their most recent post.",
      f"Find the author of \"{p['title']}\" and reply \"Thanks for all your posts!\" to their most recent post.", "/",
      [T.goto(search_path(p["title"])), click("link", p["title"]), click("link", p["author"]), click("link", latest["title"]),
       T.submit(f"/f/{latest['forum']}/{latest['id']}/comment", {"body": "Thanks for all your posts!"}), T.stop()],
      html=[(f"/f/{latest['forum']}/{latest['id']}", ["Thanks for all your posts!", ME])], reset=True)
p1, p2 = unique_posts("photography", 2, 2)
T.add(36, "Downvote \"{{a}}\", upvote \"{{b}}\", and tell me the new score of the second one.",
      f"Downvote \"{p1['title']}\", upvote \"{p2['title']}\", and tell me the new score of the second one.", "/",
      [T.goto(search_path(p1["title"])), click("link", p1["title"]), T.submit(f"/f/photography/{p1['id']}/vote", {"value": "-1"}),
       T.goto(search_path(p2["title"])), click("link", p2["title"]), T.submit(f"/f/photography/{p2['id']}/vote", {"value": "1"}),
       T.stop(str(p2["score"] + 1))], exact=str(p2["score"] + 1),
      html=[(f"/f/photography/{p1['id']}", ["You downvoted this post."]), (f"/f/photography/{p2['id']}", ["You upvoted this post."])], reset=True)
T.write(sys.argv[2])
