"""Generates environments/admin/tasks.json from the pristine store database (see store_task_tools.py)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shop"))
from store_task_tools import *
T = TaskList("admin", 101, "__ADMIN__", "admin")
A = "__ADMIN__"
def find_order(number): return [click("link", "Orders"), type_("textbox", "Search by order number, customer name or email", number),
                                click("button", "Search"), click("link", f"View order {number}")]
def find_product(p): return [click("link", "Products"), type_("textbox", "Search by product name or SKU", p['sku']),
                             click("button", "Search"), click("link", f"Edit {p['name']}")]
def find_customer(c): return [click("link", "Customers"), type_("textbox", "Search by name, email, city or phone", c['email']),
                              click("button", "Search"), click("link", f"View {c['first_name']} {c['last_name']}")]
def prod(pid): return q("select * from product where id=?", pid)[0]

# --- dashboard and reports
life = q1("select sum(total_cents) from orders where status != 'canceled'")
T.add("What are the store's lifetime sales?", string_eval(must=[money(life)]), [stop(money(life))])
best = q("""select i.name, sum(i.qty) n from order_item i join orders o on o.id=i.order_id where o.status != 'canceled'
            group by i.product_id order by n desc, i.name limit 1""")[0]
T.add("Which product has sold the most units of all time?", string_eval(must=[best['name']]), [stop(best['name'])])
n = q1("select count(*) from orders where status='pending'")
T.add("How many orders are pending?", string_eval(must=[str(n)]),
      [click("link", "Orders"), select("combobox", "Status", "Pending"), click("button", "Search"), stop(str(n))])
n = q1("select count(*) from orders where status='canceled'")
T.add("How many orders have been canceled in total?", string_eval(exact=str(n)),
      [click("link", "Orders"), select("combobox", "Status", "Canceled"), click("button", "Search"), stop(str(n))])
n = q1("select count(*) from review where status='pending'")
T.add("How many product reviews are waiting for moderation?", string_eval(must=[str(n)]), [click("link", "Reviews"), stop(str(n))])
m = q1("select sum(total_cents) from orders where status != 'canceled' and created_at like '2023-03%'")
T.add("What were the total sales in March 2023?", string_eval(must=[money(m)]),
      [click("link", "Sales Report"), select("combobox", "Period", "Month"), click("button", "Show Report"), stop(money(m))])
r = q("""select substr(created_at,1,7) m, count(*) n from orders where status != 'canceled' and created_at like '2022%' group by m order by n desc, m limit 1""")[0]
import calendar
mname = calendar.month_name[int(r['m'][5:7])]
T.add("Which month of 2022 had the most orders (not counting canceled ones)?", string_eval(must=[f"{mname} |OR| {r['m']}"]),
      [click("link", "Sales Report"), select("combobox", "Period", "Month"), type_("textbox", "To (YYYY-MM-DD)", "2022-12-31"),
       click("button", "Show Report"), stop(f"{mname} 2022")])
y = q("select substr(created_at,1,4) y, sum(total_cents) s from orders where status != 'canceled' group by y order by y")
T.add("Compare total sales in 2022 and 2023: what were they in each year?", string_eval(must=[money(y[0]['s']), money(y[1]['s'])]),
      [click("link", "Sales Report"), select("combobox", "Period", "Year"), click("button", "Show Report"),
       stop(f"2022: {money(y[0]['s'])}; 2023: {money(y[1]['s'])}")])
b23 = q("""select i.name, sum(i.qty) n, sum(i.qty*i.price_cents) rev from order_item i join orders o on o.id=i.order_id where o.status != 'canceled'
           and o.created_at like '2023-%' group by i.product_id order by n desc, rev desc, i.product_id limit 1""")[0]
T.add("What was the best-selling product in 2023?", string_eval(must=[b23['name']]),
      [click("link", "Bestsellers"), select("combobox", "Year", "2023"), click("button", "Show Report"), stop(b23['name'])])

# --- orders, customers, products lookups
o = q("select o.*, c.first_name||' '||c.last_name cname from orders o join customer c on c.id=o.customer_id where o.id=123")[0]
T.add(f"Who placed order {o['number']}?", string_eval(must=[o['cname']]), find_order(o['number']) + [stop(o['cname'])])
o = q("select * from orders where id=600")[0]
T.add(f"What phone number is on the shipping address of order {o['number']}?", string_eval(must=[o['ship_phone']]),
      find_order(o['number']) + [stop(o['ship_phone'])])
top = q("select o.number, o.total_cents from orders o order by total_cents desc, id limit 1")[0]
T.add("What is the grand total of the largest order the store has ever received, and what is its number?",
      string_eval(must=[money(top['total_cents']), top['number']]),
      [click("link", "Orders"), select("combobox", "Sort by", "Grand total: high to low"), click("button", "Search"),
       stop(f"{top['number']}: {money(top['total_cents'])}")])
c = q("select * from customer where id=37")[0]
T.add(f"What is the email address of the customer {c['first_name']} {c['last_name']} who lives in {c['city']}?", string_eval(exact=c['email']),
      [click("link", "Customers"), type_("textbox", "Search by name, email, city or phone", c['city']), click("button", "Search"), stop(c['email'])])
c = q("select * from customer where id=12")[0]
n = q1("select count(*) from orders where customer_id=12")
T.add(f"How many orders has {c['first_name']} {c['last_name']} ({c['email']}) placed?", string_eval(must=[str(n)]),
      find_customer(c) + [stop(str(n))])
spent = q1("select sum(total_cents) from orders where customer_id=12 and status != 'canceled'")
T.add(f"How much has {c['first_name']} {c['last_name']} ({c['email']}) spent at the store, excluding canceled orders?", string_eval(must=[money(spent)]),
      find_customer(c) + [stop(money(spent))])
p = prod(150)
T.add(f"How many units of SKU {p['sku']} are in stock?", string_eval(exact=str(p['stock'])), find_product(p) + [stop(str(p['stock']))])
n = q1("select count(*) from product where stock=0")
T.add("How many products are out of stock?", string_eval(must=[str(n)]),
      [click("link", "Products"), select("combobox", "Stock", "Out of stock"), click("button", "Search"), stop(str(n))])
T.add("What is the refund total of credit memo 000000045?", string_eval(fuzzy="N/A"),
      [stop("N/A: this store has no credit memos")])

# --- navigation
T.add("Show me all canceled orders.", url_eval(A + "/orders?status=canceled"),
      [click("link", "Orders"), select("combobox", "Status", "Canceled"), click("button", "Search"), stop()])
T.add("Show me the sales report broken down by year.", url_eval(A + "/reports/sales?period=year"),
      [click("link", "Sales Report"), select("combobox", "Period", "Year"), click("button", "Show Report"), stop()])
T.add("Show me the reviews that have been rejected.", url_eval(A + "/reviews?status=rejected"),
      [click("link", "Reviews"), click("link", "Rejected reviews"), stop()])

# --- actions
pend = q("select * from orders where status='pending' order by id")
o = pend[0]
T.add(f"Cancel order {o['number']}.", db_eval([(f"SELECT status FROM orders WHERE number = '{o['number']}'", "canceled", "order canceled")],
      html=[html_check(A + f"/orders/{o['id']}", must=["Order Status Canceled"], locator="main dl")]),
      find_order(o['number']) + [click("button", "Cancel"), stop()])
o = pend[1]
T.add(f"Create an invoice for order {o['number']}.",
      db_eval([(f"SELECT COUNT(*) FROM invoice WHERE order_id = {o['id']}", 1, "invoice exists"),
               (f"SELECT amount_cents FROM invoice WHERE order_id = {o['id']}", o['total_cents'], "invoice amount")]),
      find_order(o['number']) + [click("button", "Invoice"), stop()])
proc = q("select o.* from orders o where status='processing' and exists(select 1 from invoice i where i.order_id=o.id) order by id")
o = proc[0]
T.add(f"Order {o['number']} has been invoiced; ship it.", db_eval([(f"SELECT status FROM orders WHERE id = {o['id']}", "complete", "order complete")]),
      find_order(o['number']) + [click("button", "Ship"), stop()])
o = pend[2]
T.add(f"Invoice and then ship order {o['number']}.",
      db_eval([(f"SELECT status FROM orders WHERE id = {o['id']}", "complete", "order complete"),
               (f"SELECT COUNT(*) FROM invoice WHERE order_id = {o['id']}", 1, "invoiced")]),
      find_order(o['number']) + [click("button", "Invoice"), click("button", "Ship"), stop()])
p = prod(60)
T.add(f"Change the price of the {p['name']} to $24.99.", db_eval([(f"SELECT price_cents FROM product WHERE id = {p['id']}", 2499, "new price")],
      html=[html_check("__SHOP__" + f"/product/{p['id']}", exact="Price: $24.99", locator="p.price")]),
      find_product(p) + [type_("textbox", "Price", "24.99"), click("button", "Save"), stop()])
p = prod(210)
T.add(f"We received a delivery: set the quantity of SKU {p['sku']} to 150.", db_eval([(f"SELECT stock FROM product WHERE id = {p['id']}", 150, "stock")]),
      find_product(p) + [type_("spinbutton", "Quantity", "150"), click("button", "Save"), stop()])
p = prod(88)
T.add(f"Disable the product {p['name']} so it no longer shows in the store.",
      db_eval([(f"SELECT status FROM product WHERE id = {p['id']}", "disabled", "disabled")]),
      find_product(p) + [select("combobox", "Enable Product", "Disabled"), click("button", "Save"), stop()])
p = prod(91)
newc = round(p['price_cents'] * 1.1)
T.add(f"Increase the price of the {p['name']} by 10% (round to the cent).",
      db_eval([(f"SELECT price_cents FROM product WHERE id = {p['id']}", newc, f"price {money(newc)}")]),
      find_product(p) + [type_("textbox", "Price", f"{newc/100:.2f}"), click("button", "Save"), stop()])
rv = q("select r.*, p.name pname from review r join product p on p.id=r.product_id where r.status='pending' order by r.created_at desc, r.id desc")
r0 = rv[0]
T.add(f"Approve the pending review \"{r0['title']}\" by {r0['nickname']} for the {r0['pname']}.",
      db_eval([(f"SELECT status FROM review WHERE id = {r0['id']}", "approved", "approved")],
              html=[html_check("__SHOP__" + f"/product/{r0['product_id']}", must=[r0['title'], r0['nickname']], locator="role=region name=Customer Reviews")]),
      [click("link", "Reviews"), click("button", f"Approve review {r0['id']}"), stop()])
r1 = rv[1]
T.add(f"Reject the pending review \"{r1['title']}\" by {r1['nickname']} for the {r1['pname']}.",
      db_eval([(f"SELECT status FROM review WHERE id = {r1['id']}", "rejected", "rejected"),
               ("SELECT COUNT(*) FROM review WHERE status = 'pending'", len(rv) - 1, "others untouched")]),
      [click("link", "Reviews"), click("button", f"Reject review {r1['id']}"), stop()])
five = [r for r in rv if r['rating'] == 5]
def five_steps(rv, five):
    # Approving removes a review from the pending list, so later ones move up; the page after
    # each approval is page 1 again.
    steps, done = [click("link", "Reviews")], 0
    for r in five:
        pos = rv.index(r) - done
        if pos >= 20: steps.append(click("link", "Next page"))
        steps.append(click("button", f"Approve review {r['id']}"))
        done += 1
    return steps
T.add("Approve every pending review that gives 5 stars, and leave the others pending.",
      db_eval([("SELECT COUNT(*) FROM review WHERE status = 'pending' AND rating = 5", 0, "no 5-star review pending"),
               ("SELECT COUNT(*) FROM review WHERE status = 'pending'", len(rv) - len(five), "others still pending")]),
      five_steps(rv, five) + [stop()])
low = [r for r in rv if r['rating'] == 1]
cust = q("select o.customer_id, c.first_name||' '||c.last_name n, count(*) k from orders o join customer c on c.id=o.customer_id where o.status='pending' group by o.customer_id having k >= 2 order by k desc limit 1")
if cust:
    cc = cust[0]
    mine = q("select * from orders where customer_id=? and status='pending' order by id", cc['customer_id'])
    T.add(f"{cc['n']} asked us to cancel all of their pending orders. Do it.",
          db_eval([(f"SELECT COUNT(*) FROM orders WHERE customer_id = {cc['customer_id']} AND status = 'pending'", 0, "none pending"),
                   (f"SELECT COUNT(*) FROM orders WHERE customer_id = {cc['customer_id']} AND status = 'canceled' AND id IN ({','.join(str(m['id']) for m in mine)})", len(mine), "canceled")]),
          [click("link", "Orders"), type_("textbox", "Search by order number, customer name or email", cc['n']), select("combobox", "Status", "Pending"),
           click("button", "Search")] + sum([[click("link", f"View order {m['number']}"), click("button", "Cancel"), {"back": True}, {"back": True}] for m in mine], []) + [stop()])
T.write("admin")
