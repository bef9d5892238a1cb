"""Generates environments/shop/tasks.json from the pristine store database (see store_task_tools.py)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shop"))
from store_task_tools import *
T = TaskList("shop", 1, "__SHOP__", "emma.lopez@example.com")
S = "__SHOP__"
def prod(pid): return q("select * from product where id=?", pid)[0]
def search(text): return [type_("searchbox", "Search entire store here", text), click("button", "Search")]
def open_product(p): return search(p["name"]) + [click("link", p["name"])]
def cat_link(pid):
    c = q("select s.name sub, d.name dept from product p join category s on s.id=p.category_id join category d on d.id=s.parent_id where p.id=?", pid)[0]
    return c

# --- information seeking on product pages
p = prod(5)
T.add(f"What is the price of the {p['name']}?", string_eval(must=[money(p['price_cents']) + " |OR| " + f"{p['price_cents']/100:.2f}"]),
      [stop(money(p['price_cents']))], start=f"/product/{p['id']}", login=None)
p = prod(42)
T.add(f"What is the SKU of the {p['name']}?", string_eval(exact=p['sku']), open_product(p) + [stop(p['sku'])], login=None)
# a product with several approved reviews
r = q("""select p.id, count(r.id) n, round(avg(r.rating),1) a from product p join review r on r.product_id=p.id and r.status='approved'
         where p.status='enabled' group by p.id having n>=4 order by p.id limit 3""")
p = prod(r[0]['id'])
T.add(f"How many customer reviews does the {p['name']} have?", string_eval(must=[str(r[0]['n'])]), open_product(p) + [stop(str(r[0]['n']))], login=None)
p2 = prod(r[1]['id'])
T.add(f"What is the average customer rating of the {p2['name']}?", string_eval(must=[f"{r[1]['a']:.1f}"]),
      open_product(p2) + [stop(f"{r[1]['a']:.1f} out of 5")], login=None)
latest = q("select nickname from review where product_id=? and status='approved' order by created_at desc limit 1", r[2]['id'])[0][0]
p3 = prod(r[2]['id'])
T.add(f"Who wrote the most recent review of the {p3['name']}? Give the reviewer's nickname.", string_eval(exact=latest),
      open_product(p3) + [stop(latest)], login=None)
p = prod(77)
T.add(f"Which brand makes the {p['name']}, and is it in stock?", string_eval(must=[p['brand'], "in stock" if p['stock'] > 0 else "out of stock"]),
      open_product(p) + [stop(f"{p['brand']}, in stock" if p['stock'] > 0 else f"{p['brand']}, out of stock")], login=None)

# --- categories, filters, sorting
n = q1("select count(*) from product where category_id=402 and status='enabled'")
T.add("How many products are listed in the Fitness category?", string_eval(must=[str(n)]),
      [click("link", "Sports & Outdoors"), click("link", "Fitness"), stop(str(n))], login=None)
cheap = q("select name from product where category_id=101 and status='enabled' order by price_cents, id limit 1")[0][0]
T.add("What is the cheapest product in the Cookware category?", string_eval(must=[cheap]),
      [click("link", "Home & Kitchen"), click("link", "Cookware"), select("combobox", "Sort by", "Price: Low to High"), click("button", "Apply"), stop(cheap)],
      login=None)
row = q("""select p.name, p.price_cents from product p join category c on c.id=p.category_id where c.parent_id=200 and p.status='enabled'
           and p.brand='Sonique' order by p.price_cents desc, p.id limit 1""")[0]
T.add("What is the most expensive Sonique product in the Electronics department, and what does it cost?",
      string_eval(must=[row['name'], money(row['price_cents'])]),
      [click("link", "Electronics"), select("combobox", "Brand", "Sonique"), select("combobox", "Sort by", "Price: High to Low"),
       click("button", "Apply"), stop(f"{row['name']}, {money(row['price_cents'])}")], login=None)
n = q1("""select count(*) from product p join category c on c.id=p.category_id where c.parent_id=700 and p.status='enabled' and p.price_cents <= 1000""")
T.add("How many products in Grocery & Gourmet Food cost $10 or less?", string_eval(must=[str(n)]),
      [click("link", "Grocery & Gourmet Food"), type_("textbox", "Maximum price", "10"), click("button", "Apply"), stop(str(n))], login=None)
n = q1("select count(*) from product where status='enabled' and (name like '%Wok%' or description like '%Wok%' or sku like '%Wok%')")
T.add("How many results does a store search for \"wok\" return?", string_eval(must=[str(n)]), search("wok") + [stop(str(n))], login=None)
top = q("""select * from (select p.name, (select avg(rating) from review r where r.product_id=p.id and r.status='approved') rating,
        (select count(*) from review r where r.product_id=p.id and r.status='approved') rc, p.id from product p where p.category_id=303 and p.status='enabled')
        order by rating is null, rating desc, rc desc, id limit 1""")[0]
T.add("Which shoe in the Shoes category has the best customer rating?", string_eval(must=[top['name']]),
      [click("link", "Clothing, Shoes & Jewelry"), click("link", "Shoes"), select("combobox", "Sort by", "Top Rated"), click("button", "Apply"), stop(top['name'])],
      login=None)
n = q1("""select count(*) from product p join category c on c.id=p.category_id where c.parent_id=300 and p.status='enabled' and (','||p.colors||',') like '%,Navy,%'""")
T.add("How many products in Clothing, Shoes & Jewelry are available in Navy?", string_eval(must=[str(n)]),
      [click("link", "Clothing, Shoes & Jewelry"), select("combobox", "Color", "Navy"), click("button", "Apply"), stop(str(n))], login=None)
T.add("I can't find the \"Voltera Quantum Toaster\". What does it cost?", string_eval(fuzzy="N/A"),
      search("Voltera Quantum Toaster") + [stop("N/A: the store does not sell a Voltera Quantum Toaster")], login=None)

# --- navigation (url_match)
T.add("Show me the products in the Cookware category.", url_eval(S + "/category/cookware"),
      [click("link", "Home & Kitchen"), click("link", "Cookware"), stop()], login=None)
T.add("Show me Electronics products sorted by price from high to low.", url_eval(S + "/category/electronics?sort=price_desc"),
      [click("link", "Electronics"), select("combobox", "Sort by", "Price: High to Low"), click("button", "Apply"), stop()], login=None)
T.add("Search the store for yoga mats.", url_eval(S + "/search?q=yoga mat |OR| " + S + "/search?q=yoga mats |OR| " + S + "/search?q=yoga"),
      search("yoga mat") + [stop()], login=None)
T.add("Open my order history.", url_eval(S + "/account/orders"), [click("link", "My Account"), click("link", "My Orders"), stop()])

# --- account information (Emma Lopez)
orders = q("select * from orders where customer_id=1 order by id desc")
import datetime
recent = datetime.date.fromisoformat(orders[0]['created_at'][:10])
T.add("When did I place my most recent order?",
      string_eval(must=[f"{recent.strftime('%b %-d, %Y')} |OR| {recent.isoformat()} |OR| {recent.strftime('%B %-d, %Y')}"]),
      [click("link", "My Account"), click("link", "My Orders"), stop(recent.strftime('%b %-d, %Y'))])
o = orders[1]
T.add(f"What was the grand total of my order {o['number']}?", string_eval(must=[money(o['total_cents'])]),
      [click("link", "My Account"), click("link", "My Orders"), click("link", f"View order {o['number']}"), stop(money(o['total_cents']))])
canceled = [x for x in orders if x['status'] == 'canceled']
T.add("How many of my orders were canceled? Answer with a number.", string_eval(exact=str(len(canceled))),
      [click("link", "My Account"), click("link", "My Orders"), click("link", "Next page"), stop(str(len(canceled)))])
o = orders[5]
items = q("select name from order_item where order_id=? order by id", o['id'])
day = datetime.date.fromisoformat(o['created_at'][:10]).strftime('%b %-d, %Y')
T.add(f"Which products did I buy in my order of {day}?", string_eval(must=[i[0] for i in items]),
      [click("link", "My Account"), click("link", "My Orders"), click("link", f"View order {o['number']}"), stop("; ".join(i[0] for i in items))])
wl = q("select p.name from wishlist_item w join product p on p.id=w.product_id where w.customer_id=1 order by w.added_at desc")
T.add("What items are on my wish list?", string_eval(must=[w[0] for w in wl]),
      [click("link", "My Account"), click("link", "My Wish List"), stop(", ".join(w[0] for w in wl))])
zipc = q1("select zip from customer where id=1")
T.add("What zip code is my default shipping address in?", string_eval(exact=zipc), [click("link", "My Account"), stop(zipc)])
spent = sum(x['total_cents'] for x in orders if x['status'] != 'canceled' and x['created_at'].startswith('2022'))
n2022 = [x for x in orders if x['created_at'].startswith('2022')]
T.add("How much did I spend in total on my orders placed in 2022, not counting canceled orders?",
      string_eval(must=[money(spent)]),
      [click("link", "My Account"), click("link", "My Orders"), click("link", "Next page"), stop(money(spent))])

# --- actions checked in the database
p = prod(5)
T.add(f"Add the {p['name']} in Red to my cart.",
      db_eval([(f"SELECT COUNT(*) FROM cart_item WHERE customer_id = 1 AND product_id = {p['id']} AND options = 'Color: Red'", 1, "red item in Emma's cart")]),
      open_product(p) + [select("combobox", "Color", "Red"), click("button", "Add to Cart"), stop()])
p = prod(295)
T.add(f"Put 3 bags of {p['name']} in my shopping cart.",
      db_eval([(f"SELECT COALESCE(SUM(qty), 0) FROM cart_item WHERE customer_id = 1 AND product_id = {p['id']}", 3, "quantity in cart")]),
      open_product(p) + [type_("spinbutton", "Qty", "3"), click("button", "Add to Cart"), stop()])
p = prod(200)
T.add(f"Add the {p['name']} to my wish list.",
      db_eval([(f"SELECT COUNT(*) FROM wishlist_item WHERE customer_id = 1 AND product_id = {p['id']}", 1, "on Emma's wish list")],
              html=[html_check("last", must=[p['name']], locator="main table"), html_check(S + "/account/wishlist", must=[p['name']])]),
      open_product(p) + [click("button", "Add to Wish List"), stop()])
w = q("select p.id, p.name from wishlist_item w join product p on p.id=w.product_id where w.customer_id=1 order by w.added_at limit 1")[0]
T.add(f"Remove the {w['name']} from my wish list.",
      db_eval([(f"SELECT COUNT(*) FROM wishlist_item WHERE customer_id = 1 AND product_id = {w['id']}", 0, "removed"),
               ("SELECT COUNT(*) FROM wishlist_item WHERE customer_id = 1", len(wl) - 1, "other items kept")],
              html=[html_check(S + "/account/wishlist", exclude=[w['name']])]),
      [click("link", "My Account"), click("link", "My Wish List"), click("button", f"Remove {w['name']} from wish list"), stop()])
p = prod(12)
T.add(f"Write a 4-star review of the {p['name']} with the summary \"Solid everyday pot\" and the text \"Heats evenly and cleans up easily.\"",
      db_eval([(f"SELECT rating FROM review WHERE product_id = {p['id']} AND customer_id = 1 AND title = 'Solid everyday pot' AND status = 'pending'", 4, "pending 4-star review"),
               (f"SELECT body FROM review WHERE product_id = {p['id']} AND customer_id = 1 AND title = 'Solid everyday pot'", "Heats evenly and cleans up easily.", "review text")]),
      open_product(p) + [select("combobox", "Your Rating", "4 stars"), type_("textbox", "Summary", "Solid everyday pot"),
                         type_("textbox", "Review", "Heats evenly and cleans up easily."), click("button", "Submit Review"), stop()])
T.add("Change the phone number of my account to (412) 555-0199.",
      db_eval([("SELECT phone FROM customer WHERE id = 1", "(412) 555-0199", "Emma's phone")]),
      [click("link", "My Account"), click("link", "Edit Address"), type_("textbox", "Phone Number", "(412) 555-0199"), click("button", "Save Address"), stop()])
T.add("My new address is 77 Forbes Avenue, Pittsburgh, PA 15213. Update my account.",
      db_eval([("SELECT street || ', ' || city || ', ' || state || ' ' || zip FROM customer WHERE id = 1", "77 Forbes Avenue, Pittsburgh, PA 15213", "Emma's address")]),
      [click("link", "My Account"), click("link", "Edit Address"), type_("textbox", "Street Address", "77 Forbes Avenue"),
       type_("textbox", "City", "Pittsburgh"), type_("textbox", "State", "PA"), type_("textbox", "Zip/Postal Code", "15213"),
       click("button", "Save Address"), stop()])
p = prod(139)
T.add(f"Buy the {p['name']} in size M and color Navy, with Express shipping to my default address.",
      db_eval([(f"""SELECT COUNT(*) FROM orders o JOIN order_item i ON i.order_id = o.id WHERE o.customer_id = 1 AND o.id > 640
                    AND i.product_id = {p['id']} AND i.options = 'Color: Navy, Size: M' AND o.shipping_method = 'Express'""", 1, "new Express order with the loafers"),
               ("SELECT ship_zip FROM orders WHERE customer_id = 1 AND id > 640", zipc, "shipped to the default address")]),
      open_product(p) + [select("combobox", "Color", "Navy"), select("combobox", "Size", "M"), click("button", "Add to Cart"),
                         click("link", "Proceed to Checkout"), select("combobox", "Shipping method", "Express"), click("button", "Place Order"), stop()])
a, b = prod(300), prod(330)
T.add(f"Order two {a['name']} and one {b['name']}, shipped with Flat Rate to 5000 Forbes Avenue, Pittsburgh, PA 15213.",
      db_eval([(f"SELECT COALESCE(SUM(i.qty), 0) FROM orders o JOIN order_item i ON i.order_id = o.id WHERE o.customer_id = 1 AND o.id > 640 AND i.product_id = {a['id']}", 2, "two of the first product"),
               (f"SELECT COALESCE(SUM(i.qty), 0) FROM orders o JOIN order_item i ON i.order_id = o.id WHERE o.customer_id = 1 AND o.id > 640 AND i.product_id = {b['id']}", 1, "one of the second product"),
               ("SELECT ship_street || ', ' || ship_city || ', ' || ship_state || ' ' || ship_zip FROM orders WHERE customer_id = 1 AND id > 640",
                "5000 Forbes Avenue, Pittsburgh, PA 15213", "shipping address"),
               ("SELECT COUNT(*) FROM orders WHERE customer_id = 1 AND id > 640", 1, "exactly one new order")]),
      open_product(a) + [type_("spinbutton", "Qty", "2"), click("button", "Add to Cart")] + open_product(b) + [click("button", "Add to Cart"),
       click("link", "Proceed to Checkout"), type_("textbox", "Street address", "5000 Forbes Avenue"), type_("textbox", "City", "Pittsburgh"),
       type_("textbox", "State", "PA"), type_("textbox", "Zip code", "15213"), select("combobox", "Shipping method", "Flat Rate"),
       click("button", "Place Order"), stop()])
T.add("Create a store account for Jane Doe, email jane.doe@example.com, with the password Welcome.2024",
      db_eval([("SELECT first_name || ' ' || last_name FROM customer WHERE email = 'jane.doe@example.com'", "Jane Doe", "new customer"),
               ("SELECT password FROM customer WHERE email = 'jane.doe@example.com'", "Welcome.2024", "password set")]),
      [click("link", "Create an Account"), type_("textbox", "First Name", "Jane"), type_("textbox", "Last Name", "Doe"),
       type_("textbox", "Email", "jane.doe@example.com"), type_("textbox", "Password", "Welcome.2024"),
       type_("textbox", "Confirm Password", "Welcome.2024"), click("button", "Create an Account"), stop()], login=None)
T.write("shop")
