"""Phrase banks in English for the SaaS customer-success demo unit.

In each topic, ``symptoms[i]`` describes the problem of ``subjects[i]``.
Templates use ``str.format`` slots that ``text.py`` fills: {model} {code} {hours} {sn}
{site} {part} {days} {engineer} {n}. Topics are keyed by leaf category.
"""

from __future__ import annotations

TOPICS: dict[str, dict[str, list[str]]] = {
    "SSO / SAML": {
        "models": ["Okta", "Azure AD", "Google Workspace", "OneLogin"],
        "subjects": [
            "SSO login fails with {model}: invalid SAML response",
            "Users redirected in a loop after {model} sign-in",
            "New hires cannot log in through {model} SSO",
            "SAML certificate expires next week, how do we rotate it?",
        ],
        "symptoms": [
            "Since this morning every login through {model} ends on an error page saying "
            "'SAML response signature invalid'.",
            "After signing in with {model} the browser bounces between our login page and "
            "the IdP until it gives up.",
            "Users provisioned in the last {days} days get 'account not found' at login.",
            "We need to rotate the IdP certificate without locking out {n}0 users.",
        ],
    },
    "Password & 2FA": {
        "models": ["authenticator app", "SMS", "hardware key"],
        "subjects": [
            "Locked out after losing {model} for 2FA",
            "Password reset email never arrives",
            "Can we enforce 2FA for all admins?",
        ],
        "symptoms": [
            "Our finance lead lost the phone with the {model} and cannot log in.",
            "Reset emails are not arriving, not even in spam. Tried {n} times.",
            "Security review asks us to require 2FA for every admin account.",
        ],
    },
    "Invoices": {
        "models": ["Growth", "Business", "Enterprise"],
        "subjects": [
            "Invoice shows the wrong VAT number",
            "Charged twice for the {model} plan this month",
            "Need invoices for the last {n} months as PDF",
        ],
        "symptoms": [
            "Our latest invoice has last year's VAT number and accounting will not accept it.",
            "The card was charged twice on the same day for the {model} plan.",
            "Our auditors need every invoice since January, one PDF each.",
        ],
    },
    "Plan changes": {
        "models": ["Growth", "Business", "Enterprise"],
        "subjects": [
            "Upgrade from {model} mid-cycle: how is it prorated?",
            "Reduce seats from {n}0 to {n}5 at renewal",
            "Downgrade request before renewal",
        ],
        "symptoms": [
            "We want to move to the next tier now but renewal is in {days} days.",
            "Several contractors left, we need fewer seats on the {model} plan.",
            "Budget cuts: we need to downgrade before the renewal date.",
        ],
    },
    "Rate limits": {
        "models": ["/v2/contacts", "/v2/events", "/v2/search"],
        "subjects": [
            "HTTP 429 on {model} during nightly sync",
            "What are the API rate limits for our plan?",
            "Rate limit headers missing on {model}",
        ],
        "symptoms": [
            "Our nightly job gets HTTP 429 after about {n}00 requests to {model}.",
            "We plan a migration of {n} million records and need to know the limits.",
            "The X-RateLimit-Remaining header is not returned by {model}, so we cannot back off.",
        ],
    },
    "Webhooks": {
        "models": ["ticket.updated", "invoice.paid", "user.created"],
        "subjects": [
            "Webhook {model} not delivered since yesterday",
            "Webhook signature verification fails",
            "Duplicate {model} webhook deliveries",
        ],
        "symptoms": [
            "Our endpoint has not received a single {model} event for {hours} hours; "
            "the delivery log shows timeouts.",
            "The HMAC we compute never matches the signature header since the last release.",
            "Each {model} event arrives {n} times, which creates duplicates on our side.",
        ],
    },
    "Export": {
        "models": ["CSV", "JSON", "XLSX"],
        "subjects": [
            "{model} data export times out",
            "Export is missing custom fields",
            "Scheduled {model} export stopped running",
        ],
        "symptoms": [
            "Exporting the full workspace as {model} runs for {n}0 minutes and then fails.",
            "Custom fields created last month are not in the export file.",
            "The weekly {model} export to our S3 bucket has not run for {days} days.",
        ],
    },
    "Import": {
        "models": ["CSV", "Salesforce", "HubSpot"],
        "subjects": [
            "{model} import fails at row {n}00",
            "Imported dates are off by one day",
        ],
        "symptoms": [
            "The {model} import stops with 'unexpected value' and no detail.",
            "All imported due dates moved one day back, probably a time zone issue.",
        ],
    },
    "Onboarding": {
        "models": ["kickoff", "admin training", "data migration"],
        "subjects": [
            "Scheduling our {model} session",
            "Onboarding checklist: next steps after {model}",
            "Need help configuring workspaces for {n} teams",
        ],
        "symptoms": [
            "We signed last week and would like to book the {model} for our admins.",
            "We finished the {model}; what should we set up before inviting users?",
            "We have {n} teams with different permissions and want to get the structure right.",
        ],
    },
}

CODES = ["SAML_SIG_INVALID", "HTTP 429", "HTTP 502", "ERR_EXPORT_TIMEOUT", "E_WEBHOOK_TIMEOUT"]
PARTS = ["SSO connector", "billing profile", "API key", "webhook endpoint", "export job"]
SITES = ["production", "the EU workspace", "our sandbox", "the US workspace"]

OPENERS = ["Hi team,", "Hello,", "Hi there,", "Good morning,", ""]
CONTEXT = [
    "This affects {n}0 users in {site}.",
    "Workspace ID {sn}.",
    "It started after yesterday's release, as far as we can tell.",
    "We are on the Enterprise plan, account {sn}.",
    "Screenshots attached.",
]
ASKS = [
    "Could you take a look as soon as possible?",
    "Is there a workaround in the meantime?",
    "This is blocking our rollout, please advise.",
    "What information do you need from us?",
    "Thanks!",
]

REPLY_ACK = [
    "Thanks for reaching out! I'm looking into this now and will update you shortly.",
    "Thanks for the report. I've reproduced the issue and I'm checking with the team.",
    "Hi! Thanks for the details, I'm on it.",
]
REPLY_ASK = [
    "Could you send us a HAR file of a failed attempt and the exact time it happened (with "
    "time zone)?",
    "Could you share the request ID from the error response and the affected user's email?",
    "Could you confirm which {part} you are using and when it was last changed?",
]
REPLY_ADVICE = [
    "The {code} errors come from the {part}. Please re-upload the IdP metadata and try again.",
    "As a workaround, please retry with exponential backoff; I've also raised your limit "
    "temporarily.",
    "I've re-queued the failed deliveries from the last {days} days; they should arrive within "
    "the hour.",
]
REPLY_ONSITE = [
    "I've scheduled a call with {engineer} from our technical team for tomorrow.",
    "Our engineers are deploying a fix; I expect it to be live within {days} days.",
]
REPLY_RESOLVE = [
    "The fix is live and I can see successful requests from your account. Closing this out, "
    "but just reply if anything comes back.",
    "All set: the {part} is updated and working again. Thanks for your patience!",
    "I've applied the change on our side. Let us know if you need anything else.",
]
CUSTOMER_FOLLOWUP = [
    "HAR file attached, the failure was at 09:42 UTC.",
    "We tried that but still see the same error.",
    "Any update on this? Our team is still blocked.",
    "Request ID is {sn}.",
]
CUSTOMER_THANKS = [
    "Works now, thank you!",
    "Confirmed on our side, thanks a lot.",
    "Great, thanks!",
]
CUSTOMER_REOPEN = [
    "It's happening again since this morning.",
    "Sorry to reopen, the issue is back for some users.",
]
NOTES = [
    "Enterprise account, renewal in Q3; CSM is in the loop.",
    "Checked the logs: requests from this workspace spike at 02:00 UTC.",
    "Customer called, very frustrated; keep updates frequent.",
    "Same issue reported by another customer last week.",
    "Follow-up call done, customer happy with the outcome.",
]
ENGINEER_NOTES = [
    "Traced it to the {part}: the cache keeps a stale certificate for up to {n} hours.",
    "Reproduced on staging with {code}; root cause looks like a retry storm.",
    "Logged a bug with full reproduction steps; fix candidate is in review.",
]
ESCALATE_L2 = [
    "Frontline troubleshooting exhausted; {code} keeps recurring and needs log analysis.",
    "Customer needs a configuration change on the {part} that only Tier 2 can make.",
    "Third report from this account this month; needs a root-cause look.",
]
ESCALATE_L3 = [
    "Looks like a product bug in the {part}; engineering needs to confirm and fix.",
    "Tier 2 ruled out configuration; {code} needs a code-level investigation.",
]
PENDING_INTERNAL = [
    "Waiting for the engineering fix to ship.",
    "Waiting for billing to issue the credit note.",
    "Waiting for the next deploy window.",
]
HANDBACK = [
    "Workaround documented; handing back to the frontline to confirm with the customer.",
    "Not a bug: configuration explained, frontline to follow up.",
]
CLOSE = [
    "Resolved with no reply for 7 days; closing automatically.",
    "Customer confirmed, closing.",
]
MERGE = ["Duplicate of an existing request from the same contact.", "Same issue, merged."]
CHILD_SUBJECT = ["Engineering investigation: {subject}", "Bug: {subject}"]
CHILD_BODY = [
    "Please look at the logs for workspace {sn}; reproduction steps are in the parent ticket.",
    "Customer-impacting issue in the {part}; please confirm root cause and ETA for a fix.",
]
