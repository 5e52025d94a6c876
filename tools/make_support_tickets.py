"""Generate skbalance/data/support_tickets.jsonl, the example data of skbalance.

1,000 synthetic customer-support tickets written for skbalance from templates
(no existing data set is copied), with the imbalance that the library is
about:

* labels 500 billing / 300 technical / 150 account / 50 other (ratio 10);
* locales 90% en-US / 10% en-GB in every label; British tickets use British
  spelling and vocabulary (colour, cancelled, organisation, postcode, mobile,
  GBP prices);
* 12 tickets are exact copies of another ticket's text under a new id, as when
  a customer submits the same form twice: they test duplicate-aware splits;
* some vocabulary is shared across labels (an "account" in a billing ticket, a
  "login" in an account ticket) and about 8% of tickets are ambiguous or read
  like another class (label noise, as in real queues), so that a
  text classifier is good but not perfect and the rare class is the hardest.

Deterministic: ``random.Random(0)``. Run ``python tools/make_support_tickets.py``.
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
DUPLICATES = {"billing": 6, "technical": 4, "account": 1, "other": 1}

SLOTS = {
    "plan": ["Starter", "Team", "Business", "Pro", "Enterprise", "Basic", "Plus"],
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
    "n": ["two", "three", "four", "five", "six", "ten"],
    "days": ["3", "5", "7", "10", "14", "30"],
    "card": ["Visa", "Mastercard", "Amex", "debit card", "company card"],
    "invoice": [f"INV-{n}" for n in range(20417, 20517, 7)],
    "app": ["iOS app", "Android app", "desktop app", "web app", "browser extension"],
    "device": [
        "iPhone 14",
        "Pixel 8",
        "Galaxy S23",
        "MacBook",
        "Windows laptop",
        "iPad",
        "Chromebook",
    ],
    "error": ["500", "502", "403", "E1042", "ERR_TIMEOUT", "SYNC_FAILED", "429"],
    "feature": [
        "dashboard",
        "reports page",
        "file upload",
        "search",
        "export to CSV",
        "calendar sync",
        "notifications",
        "checkout page",
        "API",
        "webhooks",
    ],
    "browser": ["Chrome", "Firefox", "Safari", "Edge"],
    "version": ["4.2.1", "4.3.0", "5.0.2", "5.1", "3.9.8"],
    "role": ["admin", "editor", "viewer", "billing owner", "manager"],
    "person": [
        "my colleague",
        "our new hire",
        "a contractor",
        "my manager",
        "the intern",
        "our accountant",
    ],
    "workspace": [
        "Marketing",
        "Ops Team",
        "Acme Corp",
        "Design Studio",
        "Sales EMEA",
        "Support Hub",
    ],
    "topic": [
        "a partnership",
        "a podcast interview",
        "an article",
        "a conference talk",
        "a case study",
        "a reseller agreement",
    ],
    "idea": [
        "dark mode",
        "a Linux version",
        "keyboard shortcuts",
        "bulk editing",
        "a Zapier integration",
        "offline mode",
        "more color themes",
        "two-factor login by SMS",
    ],
    "praise": [
        "love the new update",
        "the team has been great",
        "your support was fast",
        "the product saves us hours",
    ],
    "hours": ["opening hours", "phone line hours", "office address", "holiday hours"],
}

TEMPLATES = {
    "billing": [
        "I was charged twice for the {plan} plan this month. Please refund the duplicate charge.",
        "Why did my bill go up to {price}? I did not change my plan.",
        "My {card} payment failed and now my account shows an overdue balance of {price}.",
        "Can I get a refund for {month}? We stopped using the service after {days} days.",
        "Please send me an invoice for {month} with our company name and tax number on it.",
        "Invoice {invoice} lists {n} seats but we only have two users. Can you fix the amount?",
        "I canceled my subscription but was still billed {price} on my {card}.",
        "How do I update the credit card on file? The old {card} expired.",
        "We were charged {price} for the annual {plan} plan instead of monthly billing.",
        "The checkout page took my payment but my plan is still {plan}. Where did the money go?",
        "Is there a discount for nonprofits on the {plan} plan?",
        "Can you switch us from monthly to yearly billing and prorate the difference?",
        "I need a receipt for the {price} charge on {month} 12 for my expense report.",
        "Our accountant says invoice {invoice} has the wrong billing address and zip code.",
        "Please stop the automatic renewal. I do not want to be charged {price} again.",
        "I see a pending charge of {price} from you that I do not recognize.",
        "Can we pay by check or bank transfer instead of a card?",
        "Downgrading to {plan} should lower the price, but the next bill is still {price}.",
        "The trial ended after {days} days and you charged my {card} without a reminder.",
        "Do your prices include sales tax? The invoice total of {price} is higher than the plan price.",
    ],
    "technical": [
        "The {app} crashes every time I open the {feature} on my {device}.",
        "I get error {error} when I try to use the {feature}.",
        "Since version {version} the {app} is very slow to load.",
        "Login fails with error {error} even though my password is correct.",
        "Two-factor codes never arrive, so I cannot sign in on the {app}.",
        "The {feature} does not sync between the {app} and the web app.",
        "Files over 10 MB fail to upload with error {error}.",
        "The {feature} shows a blank page in {browser}.",
        "Our API calls return {error} since this morning. Is there an outage?",
        "Webhooks stopped firing after we updated to version {version}.",
        "Notifications do not show up on my {device} anymore.",
        "The {app} freezes when I export a large report.",
        "Search returns no results for documents I created yesterday.",
        "After the update the {feature} buttons are gray and I cannot click them.",
        "The {app} keeps logging me out every few minutes on my {device}.",
        "Calendar sync duplicates every event since version {version}.",
        "Page loads take over a minute in {browser} on the {feature}.",
        "I get a certificate warning when I open the {feature} in {browser}.",
    ],
    "account": [
        "How do I change the email address on my account?",
        "Please delete my account and all my personal data.",
        "I want to add {person} to our workspace as an {role}.",
        "How do I remove {person} from the {workspace} workspace?",
        "I forgot my password and the reset link has expired. Can you send a new one?",
        "Can I rename the {workspace} workspace?",
        "I need to transfer ownership of the account to {person}.",
        "How do I change my username and profile picture?",
        "Please merge my two accounts. I signed up twice with different emails.",
        "I cannot find where to change the {role} permissions for {person}.",
        "Can I have two workspaces under one login?",
        "How do I turn on two-factor login for my whole organization?",
        "Please update the phone number on my account. I have a new cell phone.",
        "{person} left the company. How do I take over their files and login?",
        "Can you unlock my account? It says it was locked after too many attempts.",
        "I want to change the account owner of {workspace} to myself.",
    ],
    "other": [
        "Do you have an affiliate or partner program? We would like to discuss {topic}.",
        "It would be great if you added {idea}.",
        "Just wanted to say we {praise}. Thank you!",
        "What are your {hours}? I would like to call someone.",
        "I am a journalist and would like to ask about {topic}.",
        "Are you hiring? I would love to work on your team.",
        "Is your company planning to attend any events this fall?",
        "Where can I find your press kit and logo?",
        "Could you send me information about your security certifications?",
        "Feature request: {idea}, please.",
        "Do you have a referral bonus if I recommend you to my friends?",
        "I found a typo on your homepage, the word 'calender' is misspelled.",
        "Please remove me from your marketing newsletter.",
        "Do you donate licenses to schools or charities?",
        "I want to suggest {idea}; the current version feels limited.",
        "Who should I contact about {topic}?",
    ],
}

# Tickets that read like another class: real queues are never clean.
AMBIGUOUS = [
    ("billing", "My account is locked and I cannot update my payment details."),
    ("billing", "The invoice page gives error {error} so I cannot download my bill."),
    ("technical", "I was charged, but the app crashes before it shows my {plan} plan."),
    ("technical", "The account settings page is broken, I cannot save my changes."),
    ("account", "I cannot log in to change the card on my account."),
    ("account", "Please close my account, the app is too slow for us."),
    ("other", "Do you offer a discount if we pay for {n} years up front?"),
    ("other", "Your login page looks great, who designed it?"),
    ("other", "Can I get an invoice for the conference ticket I bought from you?"),
]

# Context that customers add whatever the request: it carries other classes'
# vocabulary (plans, cards, apps, logins) into every queue.
CONTEXT = [
    "I am on the {plan} plan.",
    "We have {n} users on the {plan} plan.",
    "I paid by {card} last month.",
    "I mostly use the {app} on my {device}.",
    "My account email is the one on this ticket.",
    "I log in with Google.",
    "We have been customers for {n} years.",
    "This is for the {workspace} workspace.",
    "I already tried logging out and back in.",
    "Our invoice is paid every month.",
    "I tried in {browser} as well.",
    "Version {version} of the {app}.",
]

OPENERS = [
    "",
    "",
    "",
    "Hi, ",
    "Hello, ",
    "Hi team, ",
    "Good morning, ",
    "Urgent: ",
    "Hey, ",
    "Quick question: ",
]
CLOSERS = [
    "",
    "",
    "",
    " Thanks.",
    " Thank you!",
    " Please help.",
    " Thanks in advance.",
    " This is urgent.",
    " Any update would help.",
    " Cheers.",
]

GB_WORDS = {
    "canceled": "cancelled",
    "color": "colour",
    "organization": "organisation",
    "zip code": "postcode",
    "cell phone": "mobile",
    "check": "cheque",
    "gray": "grey",
    "favor": "favour",
    "fall": "autumn",
    "recognize": "recognise",
    "program": "programme",
    "sales tax": "VAT",
    "apartment": "flat",
    "Good morning, ": "Morning, ",
}


def _price(rng, locale):
    amount = rng.choice([9, 12, 19, 29, 49, 79, 99, 149, 199, 249, 499])
    cents = rng.choice(["", ".00", ".99", ".50"])
    return f"£{amount}{cents}" if locale == "en-GB" else f"${amount}{cents}"


def _fill(template, rng, locale):
    def slot(match):
        name = match.group(1)
        if name == "price":
            return _price(rng, locale)
        return rng.choice(SLOTS[name])

    return re.sub(r"\{(\w+)\}", slot, template)


def _britishise(text):
    for us, gb in GB_WORDS.items():
        text = re.sub(
            rf"\b{re.escape(us)}\b" if us[0].isalnum() else re.escape(us), gb, text
        )
    return text


def _ticket(label, locale, rng):
    draw = rng.random()
    if draw < 0.04:
        core = rng.choice([t for lab, t in AMBIGUOUS if lab == label])
    elif draw < 0.08:
        # label noise: filed under this label, reads like another one
        core = rng.choice(TEMPLATES[rng.choice([k for k in TEMPLATES if k != label])])
    else:
        core = rng.choice(TEMPLATES[label])
    text = _fill(core, rng, locale)
    if rng.random() < 0.6:
        context = _fill(rng.choice(CONTEXT), rng, locale)
        text = f"{context} {text}" if rng.random() < 0.5 else f"{text} {context}"
    opener = rng.choice(OPENERS)
    if opener and text.startswith("I "):
        text = opener + text
    elif opener:
        text = opener + text[0].lower() + text[1:]
    text += rng.choice(CLOSERS)
    if locale == "en-GB":
        text = _britishise(text)
    return text


def generate():
    rng = random.Random(0)
    rows, seen = [], set()
    for label, count in COUNTS.items():
        n_gb = round(count * GB_SHARE)
        unique = count - DUPLICATES[label]
        locales = ["en-GB"] * n_gb + ["en-US"] * (count - n_gb)
        rng.shuffle(locales)
        made = []
        for locale in locales[:unique]:
            for _ in range(200):  # redraw until the text is new
                text = _ticket(label, locale, rng)
                if text not in seen:
                    break
            seen.add(text)
            made.append({"text": text, "label": label, "locale": locale})
        # the same customer submitting twice: an exact copy of an earlier ticket,
        # taken from the locale the remaining slots need
        for locale in locales[unique:]:
            source = rng.choice([r for r in made if r["locale"] == locale])
            made.append(dict(source))
        rows.extend(made)
    rng.shuffle(rows)
    return [{"id": f"t{i:04d}", **row} for i, row in enumerate(rows, start=1)]


def main():
    rows = generate()
    tmp = OUT.with_suffix(".jsonl.tmp")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, OUT)
    print(f"wrote {len(rows)} tickets to {OUT}")


if __name__ == "__main__":
    main()
