"""Generate skbalance/data/support_tickets.jsonl, the example data of skbalance.

1,000 synthetic customer-support tickets written for skbalance from the
templates below (no existing data set is copied), with the imbalance that the
library is about:

* labels 500 billing / 300 technical / 150 account / 50 other (ratio 10);
* locales 90% en-US / 10% en-GB in every label (50 / 30 / 15 / 5 British
  tickets); templates are written in US English and British tickets get
  British spelling and vocabulary (colour, cancelled, organisation, favour,
  cheque, postcode, mobile, VAT, "12 March" dates, GBP prices) and British
  cities, US tickets dollar prices;
* every text is one to three sentences: a request, sometimes a line of
  context and a greeting or sign-off;
* exactly 12 tickets are exact copies of an earlier ticket's text, label and
  locale under a new id (6 billing, 4 technical, 1 account, 1 other), as when
  a customer submits the same form twice; all other texts are unique;
* some vocabulary is shared across labels (an "account" in billing tickets, a
  "login" in account tickets, a "charge" in other tickets, and context lines
  about plans, cards and apps in every queue), and about 3% of tickets are
  slightly ambiguous: requests that two queues could both claim, whose
  wording is filed under either label. A text classifier is good but not
  perfect and the rare "other" class is the hardest (TF-IDF + logistic
  regression with scikit-learn defaults on stratified 70/30 splits: macro-F1
  0.78 to 0.89, "other" F1 about 0.5 and always the lowest).

Deterministic: ``random.Random(0)``, standard library only. Run
``python tools/make_support_tickets.py``; ``generate()`` returns the records.
"""

import json
import os
import random
import re
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1] / "skbalance" / "data" / "support_tickets.jsonl"
)
COUNTS = {"billing": 500, "technical": 300, "account": 150, "other": 50}
GB_SHARE = 0.10
# exact copies of an earlier ticket (same text, label and locale, new id)
DUPLICATES = {"billing": 6, "technical": 4, "account": 1, "other": 1}
AMBIGUOUS_SHARE = 0.03
CONTEXT_SHARE = 0.7
MAX_SENTENCES = 3

SLOTS = {
    "plan": [
        "Starter",
        "Team",
        "Business",
        "Pro",
        "Enterprise",
        "Basic",
        "Plus",
        "Growth",
    ],
    "month": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "few": ["two", "three", "four", "five"],
    "many": ["eight", "ten", "twelve", "fifteen", "twenty", "twenty-five"],
    "years": ["two", "three", "four", "five", "six"],
    "days": ["3", "5", "7", "10", "14"],
    "mb": ["10", "25", "50", "100"],
    "card": [
        "Visa",
        "Mastercard",
        "Amex",
        "debit card",
        "company card",
        "corporate Amex",
    ],
    "invoice": [f"INV-{n}" for n in range(20417, 20617, 7)],
    "app": [
        "iOS app",
        "Android app",
        "desktop app",
        "Mac app",
        "Windows app",
        "browser extension",
    ],
    "device": [
        "iPhone 14",
        "iPhone 15",
        "Pixel 8",
        "Galaxy S23",
        "MacBook Air",
        "Windows laptop",
        "iPad",
        "Chromebook",
        "Surface Pro",
    ],
    "error": [
        "500",
        "502",
        "503",
        "E1042",
        "E2210",
        "E3007",
        "ERR_TIMEOUT",
        "ERR_NETWORK",
    ],
    "http_error": ["500", "502", "503", "401", "403", "404", "429"],
    "page": [
        "dashboard",
        "reports page",
        "settings page",
        "calendar view",
        "inbox",
        "project board",
        "analytics tab",
        "file browser",
    ],
    "feature": [
        "the file upload",
        "search",
        "the CSV export",
        "calendar sync",
        "shared folders",
        "comments",
        "the PDF export",
        "the API",
    ],
    "browser": ["Chrome", "Firefox", "Safari", "Edge", "Brave"],
    "version": ["4.2.1", "4.3.0", "5.0.2", "5.1", "3.9.8", "5.2.4"],
    "role_a": [
        "an admin",
        "an editor",
        "a viewer",
        "a billing owner",
        "a manager",
        "a guest",
    ],
    "person": [
        "my colleague",
        "our new hire",
        "a contractor",
        "my manager",
        "the intern",
        "our accountant",
        "a freelancer",
        "my business partner",
    ],
    "workspace": [
        "Marketing",
        "Ops Team",
        "Acme Corp",
        "Design Studio",
        "Sales EMEA",
        "Support Hub",
        "Product",
        "Finance",
    ],
    "new_name": ["Northwind", "Acme Group", "Growth Team", "Customer Success", "HQ"],
    "topic": [
        "a partnership",
        "a podcast interview",
        "a conference talk",
        "a case study",
        "a reseller agreement",
        "a co-marketing webinar",
        "a university research project",
        "sponsoring our meetup",
    ],
    "article": [
        "an article about remote work",
        "a piece on small business software",
        "a story about startups in our area",
        "a report on productivity tools",
    ],
    "idea": [
        "dark mode",
        "a Linux version",
        "keyboard shortcuts",
        "bulk editing",
        "a Zapier integration",
        "offline mode",
        "more color themes",
        "a Gantt chart view",
        "custom fields",
        "a Slack integration",
        "recurring tasks",
    ],
    "app_idea": [
        "dark mode",
        "offline mode",
        "keyboard shortcuts",
        "home screen widgets",
        "bulk editing",
        "a quick-add button",
    ],
    "praise": [
        "love the new update",
        "think your team has been great",
        "were impressed by how fast your support was",
        "save hours every week thanks to the product",
    ],
    "hours": ["opening hours", "phone support hours", "holiday hours", "office hours"],
}

# Apps that run on each device: a ticket naming both uses a pair that exists.
APPS_ON = {
    "iPhone 14": ["iOS app"],
    "iPhone 15": ["iOS app"],
    "iPad": ["iOS app"],
    "Pixel 8": ["Android app"],
    "Galaxy S23": ["Android app"],
    "MacBook Air": ["Mac app", "desktop app", "browser extension"],
    "Windows laptop": ["Windows app", "desktop app", "browser extension"],
    "Surface Pro": ["Windows app", "desktop app"],
    "Chromebook": ["Android app", "browser extension"],
}
assert all(app in SLOTS["app"] for apps in APPS_ON.values() for app in apps)
assert sorted(APPS_ON) == sorted(SLOTS["device"])

# Slots whose values depend on the locale.
LOCALE_SLOTS = {
    "city": {
        "en-US": ["Chicago", "Austin", "Seattle", "Boston", "Denver", "Atlanta"],
        "en-GB": ["London", "Manchester", "Leeds", "Bristol", "Edinburgh", "Glasgow"],
    },
}

TEMPLATES = {
    "billing": [
        "I was charged twice for the {plan} plan this month. Please refund the duplicate charge.",
        "Why did my bill go up to {price}? I did not change my plan.",
        "My {card} payment failed and now my account shows an overdue balance of {price}.",
        "Can I get a refund for {month}? We stopped using the service after {days} days.",
        "Please send me an invoice for {month} with our company name and tax ID on it.",
        "Invoice {invoice} lists {many} seats but we only have {few} users. Can you fix the amount?",
        "I canceled my subscription on {date} but was still billed {price} on my {card}.",
        "How do I update the credit card on my account? The old {card} expired.",
        "We were charged {price} for the annual {plan} plan when we chose monthly billing.",
        "The checkout page took my payment of {price} but we are still on the free plan.",
        "Is there a nonprofit discount on the {plan} plan?",
        "Can you switch us from monthly to yearly billing and prorate the difference?",
        "I need a receipt for the {price} charge on {date} for my expense report.",
        "Invoice {invoice} has the wrong billing address and zip code.",
        "Please turn off automatic renewal. I do not want to be charged {price} again.",
        "I see a pending charge of {price} from you that I do not recognize.",
        "Can we pay by check or bank transfer instead of a card?",
        "We downgraded to {plan} but the next bill is still {price}.",
        "The free trial ended after {days} days and you charged my {card} without a reminder.",
        "Do your prices include sales tax? The invoice total of {price} is higher than the plan price.",
        "Please add our EU VAT number to invoice {invoice} so we can reclaim the tax.",
        "My bank says you took {price} twice on {date}.",
        "Can I get a refund for the unused seats after we removed {few} users?",
        "What would the {plan} plan cost for {many} users?",
        "Your pricing page says {price} a month but my card was billed more.",
        "Our accounts team needs every invoice since {month} as a PDF.",
        "The payment for invoice {invoice} bounced. Can we retry it with another card?",
        "Why is there a {price} late fee on my account?",
        "We added {few} users to the {workspace} workspace. How much will that add to the bill?",
        "Please send the invoices for our account to {person} as well.",
        "I changed my email address and now the receipts go to the old one.",
        "The {app} says my {plan} plan expired, but I paid {price} on {date}.",
        "Where can I find the invoices in the {app}? I need the one for {month}.",
    ],
    "technical": [
        "The {app} crashes every time I open the {page} on my {device}.",
        "I get error {error} when I try to use {feature}.",
        "Since version {version} the {app} takes a minute to start.",
        "Login fails with error {http_error} even though my password is correct.",
        "Two-factor codes never arrive, so I cannot sign in on the {app}.",
        "My changes do not sync between the {app} and the web app. It says SYNC_FAILED.",
        "Files over {mb} MB fail to upload with error {error}.",
        "The {page} shows a blank screen in {browser}.",
        "Our API calls return {http_error} since this morning. Is there an outage?",
        "Webhooks stopped firing after we updated to version {version}.",
        "Notifications do not show up on my cell phone anymore.",
        "The {app} freezes when I export a large report.",
        "Search returns no results for documents I created yesterday.",
        "After the update the buttons on the {page} are gray and I cannot click them.",
        "The {app} keeps logging me out every few minutes on my {device}.",
        "Calendar sync creates duplicate events since version {version}.",
        "The {page} takes over a minute to load in {browser}.",
        "I get a certificate warning when I open the {page} in {browser}.",
        "The API returns {http_error} for every request with our new key. The docs say the key is valid.",
        "The chart colors on the {page} are unreadable in dark mode.",
        "The sync icon spins forever and nothing updates on my {device}.",
        "Single sign-on stopped working on {date} with error {error}.",
        "The {app} will not install on my {device}. It stops at 90% every time.",
        "Links in your emails open a page that says not found.",
        "The {page} is very slow since {date}. Other sites load fine.",
        "Rate limit error 429 appears after only a few API requests.",
        "The password reset email never arrives, even in the spam folder.",
        "After changing my email address I cannot log in on the {app}.",
        "The invite link for {person} opens an error page in {browser}.",
        "The billing page shows error {error} when I try to update my card.",
        "Invoices download as empty PDF files from the {page}.",
        "The upgrade button on the {page} does nothing when I click it.",
    ],
    "account": [
        "How do I change the email address on my account?",
        "Please delete my account and all my personal data.",
        "I want to add {person} to our workspace as {role_a}.",
        "How do I remove {person} from the {workspace} workspace?",
        "I asked for a password reset but the link has expired. Can you send a new one?",
        "Can I rename the {workspace} workspace to {new_name}?",
        "I need to transfer ownership of our account to {person}.",
        "How do I change my username and profile picture?",
        "Please merge my two accounts. I signed up twice with different emails.",
        "Where do I change the role of {person} to {role_a}?",
        "Can I use one login for two workspaces?",
        "How do I require two-factor login for our whole organization?",
        "Please update the phone number on my account. I have a new cell phone number.",
        "{person} left the company. How do I take over their files and login?",
        "My account is locked after too many login attempts. Can you unlock it?",
        "Please make me the owner of the {workspace} workspace. The old owner left.",
        "Can you change the name on my account? I got married last month.",
        "How do I leave a workspace I was invited to by mistake?",
        "I want to close my personal account but keep the {workspace} workspace.",
        "Can you resend the invitation to {person}? It never arrived.",
        "How do I change the language and time zone on my profile?",
        "Could you do me a favor and restore the login of {person}? I removed it by accident.",
        "Please change the login email of {person} to their new company address.",
        "How do I update our organization name on the account?",
        "Please add {person} as a billing contact on our account.",
        "How do I see which devices are logged in to my account?",
        "Where do I turn off two-factor login on the {app}?",
        "How do I change who receives the invoices for our account?",
        "How do I move {person} into the {workspace} workspace?",
    ],
    "other": [
        "Do you have a partner program? We would like to talk about {topic}.",
        "It would be great if you added {idea}.",
        "Just wanted to say we {praise}. Thank you!",
        "What are your {hours}? I would like to speak to someone.",
        "I am a journalist writing {article} and would like to ask you a few questions.",
        "Are you hiring? I would love to work on your team.",
        "Will you be at any trade shows this fall?",
        "Where can I find your press kit and logo?",
        "Could you send me information about your security certifications?",
        "Feature request: {idea}.",
        "Do you pay a referral bonus if I recommend you to friends?",
        "There is a typo on your homepage: calendar is spelled calender.",
        "Please take me off your marketing newsletter.",
        "Do you charge schools and charities for licenses, or donate them?",
        "I want to suggest {idea}; the current version feels limited.",
        "Who should I contact about {topic}?",
        "Do you charge for the onboarding webinar or is it free?",
        "Is your {city} office open to visitors?",
        "I run a user group in {city}. Would you send a speaker?",
        "Our school would like to use your product in class. Do you charge for education use?",
        "Could you do us a favor and share a customer story for our newsletter?",
        "Is there a public roadmap where I can vote for {idea}?",
        "It would help if the {app} had {app_idea}.",
        "The new {page} looks great. Thank you for listening to feedback.",
        "Do you charge extra for {idea} or will it be part of the {plan} plan?",
        "We love the {app} on my {device}. Any plans for {app_idea}?",
        "Could you add {app_idea} to the {page}? Our team would use it every day.",
        "I manage accounts for several clients. Do you have a partner program for agencies?",
        "Do you have a status page I can subscribe to for outage updates?",
        "Could we get a demo of the {plan} plan for our board next week?",
        "Where is our data stored? Our legal team needs to know before we sign up.",
        "Does the {app} work with screen readers? We are evaluating it for our team.",
    ],
}

# Slightly ambiguous tickets (about AMBIGUOUS_SHARE of each label): requests
# that two queues could both claim, with the labels they are filed under. The
# same wording reaches more than one label, as when two agents route the same
# request differently, so no classifier gets all of them right.
AMBIGUOUS = [
    (
        "My account is locked and I cannot update my payment details.",
        ("billing", "account"),
    ),
    ("I cannot log in to change the card on my account.", ("billing", "account")),
    (
        "The invoice page gives error {error} so I cannot download my bill.",
        ("billing", "technical"),
    ),
    (
        "I removed {person} from the workspace but we are still charged for the seat.",
        ("billing", "account"),
    ),
    (
        "Do you offer a discount for startups? We are {few} people.",
        ("billing", "other"),
    ),
    (
        "I was charged, but the {app} crashes before it shows my {plan} plan.",
        ("technical", "billing"),
    ),
    (
        "The account settings page is broken and will not save my changes.",
        ("technical", "account"),
    ),
    (
        "The checkout page spins forever when I try to upgrade.",
        ("technical", "billing"),
    ),
    (
        "Please close my account, the {app} is too slow for us.",
        ("account", "technical"),
    ),
    ("Can I move my paid plan to a different account?", ("account", "billing")),
    (
        "Do you offer a discount if we pay for {few} years up front?",
        ("other", "billing"),
    ),
    ("Your login page looks great, who designed it?", ("other", "technical")),
    (
        "Can I get an invoice for the conference ticket I bought from you?",
        ("other", "billing"),
    ),
    (
        "Do you offer a student discount? I do not have an account yet.",
        ("other", "billing"),
    ),
]
_AMBIGUOUS_FOR = {
    label: [text for text, labels in AMBIGUOUS if label in labels] for label in COUNTS
}

# Context that customers add to a request, with the labels whose tickets it
# fits: it carries other classes' vocabulary (plans, cards, apps, logins) into
# every queue.
_ALL = ("billing", "technical", "account", "other")
_CUSTOMER = ("billing", "technical", "account")
CONTEXT = [
    ("We have been customers for {years} years.", _ALL),
    ("Our team is based in {city}.", _ALL),
    ("I am on the {plan} plan.", _ALL),
    ("We use the {app} and the web app every day.", ("technical", "account", "other")),
    ("I mostly use the {app} on my {device}.", ("technical", "other")),
    ("I am on version {version} of the {app}.", ("technical",)),
    ("We have {few} users on the {plan} plan.", _CUSTOMER),
    ("We are a team of {many} on the {plan} plan.", _CUSTOMER),
    ("Our {plan} plan renews in {month}.", _CUSTOMER),
    ("My account email is the one on this ticket.", _CUSTOMER),
    ("This is for the {workspace} workspace.", _CUSTOMER),
    ("I am the admin of our account.", _CUSTOMER),
    ("I paid by {card} last month.", ("billing", "account")),
    ("Our invoice is paid every month.", ("billing", "account")),
    ("I log in with Google.", ("technical", "account")),
    ("My login is the same as my work email.", ("technical", "account")),
    ("I already tried logging out and back in.", ("technical", "account")),
    ("I tried in {browser} as well.", ("technical",)),
]

OPENERS = [
    "",
    "",
    "",
    "",
    "Hi, ",
    "Hello, ",
    "Hi team, ",
    "Good morning, ",
    "Hey, ",
    "Quick question: ",
]
CLOSERS = ["", "", "", "", "Thanks.", "Thank you!", "Cheers.", "Thanks in advance."]
PROBLEM_CLOSERS = ["Please help.", "Any update would help.", "This is urgent."]

# US phrase -> British phrase, applied to whole words of en-GB tickets only.
GB_PHRASES = {
    "canceled": "cancelled",
    "colors": "colours",
    "color": "colour",
    "organization": "organisation",
    "zip code": "postcode",
    "cell phone number": "mobile number",
    "cell phone": "mobile",
    "by check": "by cheque",
    "favor": "favour",
    "gray": "grey",
    "recognize": "recognise",
    "partner program": "partner programme",
    "licenses": "licences",
    "this fall": "this autumn",
    "sales tax": "VAT",
    "tax ID": "VAT number",
    "EU VAT number": "VAT number",
    "trade shows": "trade fairs",
    "Good morning, ": "Morning, ",
}

_CONTEXT_FOR = {
    label: [line for line, labels in CONTEXT if label in labels] for label in COUNTS
}
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def _sentences(text):
    return len(_SENTENCE_END.findall(text))


def _price(rng, locale):
    amount = rng.choice([9, 12, 19, 29, 49, 79, 99, 149, 199, 249, 499])
    pence = rng.choice(["", "", ".00", ".99"])
    return f"£{amount}{pence}" if locale == "en-GB" else f"${amount}{pence}"


def _date(rng, locale):
    day, month = rng.randint(1, 28), rng.choice(SLOTS["month"])
    return f"{day} {month}" if locale == "en-GB" else f"{month} {day}"


def _fill(template, rng, locale, chosen):
    """Fill the {slots}; ``chosen`` keeps one value per slot within a ticket."""

    def value(name):
        if name == "price":
            return _price(rng, locale)
        if name == "date":
            return _date(rng, locale)
        if name not in chosen:
            if name in LOCALE_SLOTS:
                options = LOCALE_SLOTS[name][locale]
            elif name == "app" and "device" in chosen:
                options = APPS_ON[chosen["device"]]
            elif name == "device" and "app" in chosen:
                options = [d for d in SLOTS["device"] if chosen["app"] in APPS_ON[d]]
            else:
                options = SLOTS[name]
            chosen[name] = rng.choice(options)
        return chosen[name]

    return re.sub(r"\{(\w+)\}", lambda match: value(match.group(1)), template)


def _capitalise(text):
    # "my colleague left" -> "My colleague left", but keep "iOS" and "iPhone"
    if text[:1].islower() and not text[1:2].isupper():
        return text[0].upper() + text[1:]
    return text


def _lower_first(text):
    if text[:1].isupper() and not text[1:2].isupper() and not text.startswith("I "):
        return text[0].lower() + text[1:]
    return text


def _britishise(text):
    for us, gb in GB_PHRASES.items():
        pattern = rf"\b{re.escape(us)}\b" if us[-1].isalnum() else re.escape(us)
        text = re.sub(pattern, gb, text)
    return text


def _ticket(label, locale, rng):
    if rng.random() < AMBIGUOUS_SHARE:
        core = rng.choice(_AMBIGUOUS_FOR[label])
    else:
        core = rng.choice(TEMPLATES[label])
    chosen = {}
    text = _capitalise(_fill(core, rng, locale, chosen))
    if _sentences(text) < MAX_SENTENCES and rng.random() < CONTEXT_SHARE:
        context = _fill(rng.choice(_CONTEXT_FOR[label]), rng, locale, chosen)
        text = f"{context} {text}" if rng.random() < 0.4 else f"{text} {context}"
    opener = rng.choice(OPENERS)
    if opener == "Quick question: " and "?" not in text:
        opener = "Hi, "
    if opener == "Hi team, " and text.startswith("Our team"):
        opener = "Hello, "
    if opener:
        text = opener + _lower_first(text)
    closers = CLOSERS + (PROBLEM_CLOSERS if label != "other" else [])
    closer = rng.choice(closers)
    if closer in CLOSERS and "Thank" in text:
        closer = ""
    if closer and _sentences(text) < MAX_SENTENCES:
        text = f"{text} {closer}"
    if locale == "en-GB":
        text = _britishise(text)
    return text


def generate():
    """The 1,000 tickets as dicts with the keys id, text, label, locale."""
    rng = random.Random(0)
    rows, seen = [], set()
    for label, count in COUNTS.items():
        n_gb = round(count * GB_SHARE)
        unique = count - DUPLICATES[label]
        locales = ["en-GB"] * n_gb + ["en-US"] * (count - n_gb)
        rng.shuffle(locales)
        made = []
        for locale in locales[:unique]:
            for _ in range(1000):  # redraw until the text is new
                text = _ticket(label, locale, rng)
                if text not in seen:
                    break
            else:
                raise RuntimeError(f"cannot draw a new {label} ticket")
            seen.add(text)
            made.append({"text": text, "label": label, "locale": locale})
        # the same customer submitting twice: an exact copy of an earlier
        # ticket, from the locale that the remaining slots need
        for locale in locales[unique:]:
            source = rng.choice([r for r in made if r["locale"] == locale])
            made.append(dict(source))
        rows.extend(made)
    rng.shuffle(rows)
    return [{"id": f"t{i:04d}", **row} for i, row in enumerate(rows, start=1)]


def main():
    rows = generate()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_name(OUT.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, OUT)
    finally:
        if tmp.exists():
            tmp.unlink()
    print(f"wrote {len(rows)} tickets to {OUT}")


if __name__ == "__main__":
    main()
