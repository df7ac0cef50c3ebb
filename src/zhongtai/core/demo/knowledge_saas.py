# ruff: noqa: E501
# (Markdown: a table row or a Chinese paragraph is one line, however long.)
"""The knowledge base of the SaaS customer-success unit: what its support engineers wrote
for the tickets it gets, about sign-in (SAML SSO, passwords, 2FA), billing and plans, the
API's rate limits and webhooks, exports and imports, and onboarding. English, with
articles in Simplified Chinese for its customers in China. Loaded by
``zhongtai.core.demo.knowledge``."""

from __future__ import annotations

from zhongtai.core.demo.units import ArticleSpec

ZH, EN = "zh-hans", "en"
PUBLIC, CUSTOMERS, INTERNAL = "public", "customers", "internal"

ARTICLES: tuple[ArticleSpec, ...] = (
    ArticleSpec(
        key="saas-sso-invalid-saml",
        title='SSO error: "Invalid SAML response" or "SAML response signature invalid"',
        language=EN,
        category="SSO / SAML",
        visibility=PUBLIC,
        tags=("sso",),
        questions=(
            "SSO login fails with Okta: invalid SAML response",
            "saml response signature invalid after login",
            "everyone gets an error page when signing in with azure ad",
            "SAML_SIG_INVALID error",
            "sso broken since this morning",
            "getting invalid saml response when logging in via onelogin",
        ),
        body="""\
When a sign-in through your identity provider (IdP) ends on an error page saying
**Invalid SAML response** (error code `SAML_SIG_INVALID`), we received an assertion but
could not trust it. Sign-ins with a password are not affected.

## Most common causes
| Cause | How to tell | Fix |
|---|---|---|
| The IdP signing certificate changed | Errors started suddenly for everyone; your IdP admin renewed or rotated a certificate | Upload the new certificate (or the new metadata XML) in **Settings → Security → Single sign-on** |
| The assertion is not signed | Errors for everyone since SSO was first set up | Have the IdP sign the **assertion** (or the response and the assertion) with SHA-256 |
| Clock skew | Errors for some users, now and then | The IdP server's clock must be within 3 minutes of UTC: enable NTP |
| Wrong ACS URL or Entity ID | The error mentions `Audience` or `Destination` | Copy both values again from our SSO settings page into the IdP |
| NameID is not an email address | The error mentions `NameID` | Use the `EmailAddress` NameID format, mapped to the user's primary email |

## Steps
1. Ask your IdP admin whether the SAML app or its certificate changed recently.
2. In **Settings → Security → Single sign-on**, compare the certificate fingerprint we show
   with the one in your IdP.
3. If they differ, upload the IdP metadata again and try **Test sign-in** before enabling
   it for everyone.
4. Keep one admin able to sign in with a password (a break-glass account), so that you are
   never locked out while you fix SSO.

Still failing? Send us a SAML trace of one failed attempt (the *SAML-tracer* browser
extension) and the time it happened, with the time zone. Never send us a private key.
""",
    ),
    ArticleSpec(
        key="saas-sso-redirect-loop",
        title="Redirect loop after signing in with SSO",
        language=EN,
        category="SSO / SAML",
        visibility=PUBLIC,
        tags=("sso",),
        questions=(
            "users redirected in a loop after Okta sign-in",
            "login keeps bouncing between the IdP and your login page",
            "sso sign in loops forever",
            "too many redirects when logging in with azure ad",
            "after google sso it goes straight back to the login screen",
        ),
        body="""\
A redirect loop means the sign-in at your identity provider succeeds, but our session
cookie is not kept, so the app sends the browser back to the IdP again and again.

## Check these first
1. **Cookies blocked**: our session cookie must be allowed for `app.example.com`. Browser
   extensions, strict privacy settings and some managed Chrome or Edge policies block it.
   Try a private window; if that works, clear the cookies for our domain.
2. **Opened inside another page**: inside an intranet portal or a Teams tab, our cookie
   becomes a third-party cookie, which Safari and Chrome block. Open the app in its own
   tab.
3. **Custom domain**: if you use a custom domain (`support.yourcompany.com`), the ACS URL
   in the IdP must use the same domain as the one your users open.
4. **Two SSO apps in the IdP**: an old test app with another ACS URL may be the tile users
   click on their IdP dashboard. Remove or hide it.
5. **Email changed**: the email in the assertion must match the user's email here. After a
   rename in the IdP (`j.smith@` → `john.smith@`), the sign-in cannot be tied to the
   account and the user is sent back to sign in. Update the email in
   **Settings → Members**.

## Still looping?
Save a HAR file of one attempt (browser DevTools → Network → *Preserve log* → *Save all as
HAR*) and send it with the user's email and the time. A HAR file can hold session cookies:
we invalidate them after our analysis.
""",
    ),
    ArticleSpec(
        key="saas-sso-provisioning",
        title='New users cannot sign in through SSO: "account not found"',
        language=EN,
        category="SSO / SAML",
        visibility=CUSTOMERS,
        tags=("sso", "onboarding"),
        questions=(
            "new hires cannot log in through Okta SSO",
            "new users get account not found at login",
            "how do we create users automatically with SSO",
            "SCIM provisioning is not creating users",
            "just in time provisioning not working",
            "people we added in azure ad cannot get in",
        ),
        body="""\
With SSO, a person needs **both** an assignment to our app in your identity provider
**and** a user account here. "Account not found" means your IdP let them through, but no
account has that email.

## Three ways to create accounts
| Method | How it works | Plans |
|---|---|---|
| Invitations | An admin invites each person in **Settings → Members** | All |
| Just-in-time (JIT) provisioning | The account is created at the first SSO sign-in, with the default role | Business, Enterprise |
| SCIM | Your IdP creates, updates and deactivates accounts for you | Enterprise |

## If you use JIT
- **Create accounts on first sign-in** must be on in **Settings → Security → Single
  sign-on**.
- The email's domain must be one of your **verified domains**. New hires at a domain you
  have not verified (a subsidiary, say) are refused.
- When every paid seat is taken, JIT stops creating accounts: free or add seats.

## If you use SCIM
1. In your IdP, open the provisioning log of our app at the time the users were assigned.
2. SCIM tokens expire after 12 months; an expired token shows as `401 Unauthorized` in the
   IdP's log. Create a new token in **Settings → Security → SCIM** and paste it into the
   IdP.
3. Users must be assigned to our app, directly or through an assigned group; being in the
   directory is not enough.
4. In Okta, new users are pushed only when *Create Users* is ticked under
   *Provisioning → To App*.
""",
    ),
    ArticleSpec(
        key="saas-sso-cert-rotation",
        title="Rotate the SAML signing certificate without downtime",
        language=EN,
        category="SSO / SAML",
        visibility=PUBLIC,
        tags=("sso",),
        questions=(
            "SAML certificate expires next week, how do we rotate it?",
            "how to rotate the IdP certificate without locking users out",
            "renew the saml cert in okta",
            "azure ad signing certificate expiring",
            "can we upload two certificates",
        ),
        body="""\
Identity providers' signing certificates expire every one to three years. When the
certificate we hold no longer matches, every SSO sign-in fails with *Invalid SAML
response*. You can rotate without any downtime, because we trust **two certificates at
once** during the change.

## Steps
1. **In your IdP**, create the new certificate but do not activate it yet (Okta:
   *Generate new certificate*; Microsoft Entra ID: *New certificate* under *SAML signing
   certificate*; Google Workspace: add a certificate to the SAML app).
2. Download the new certificate (Base64 / PEM) or the new metadata XML.
3. **Here**, open **Settings → Security → Single sign-on → Certificates** and click
   **Add secondary certificate**. Both certificates are now trusted.
4. **In your IdP**, activate the new certificate.
5. Try **Test sign-in** in a private window, and ask one or two colleagues to sign in.
6. **Here**, remove the old certificate once sign-ins work. We also remove it by ourselves
   when it expires.

## Good to know
- We email the workspace admins 30, 14 and 3 days before a certificate we hold expires.
- A new certificate does not change the ACS URL or the Entity ID: nothing else changes.
- Keep one admin who can sign in with a password while you rotate, in case something goes
  wrong.
""",
    ),
    ArticleSpec(
        key="saas-sso-setup",
        title="Set up SAML single sign-on (Okta, Microsoft Entra ID, Google Workspace, OneLogin)",
        language=EN,
        category="SSO / SAML",
        visibility=PUBLIC,
        tags=("sso", "onboarding"),
        questions=(
            "how do I set up SSO with Okta",
            "configure azure ad saml for our workspace",
            "do you support single sign on",
            "which plans include SSO",
            "where do I find the ACS URL and entity ID",
            "google workspace sso setup",
        ),
        body="""\
SAML 2.0 single sign-on comes with the **Business** and **Enterprise** plans. Setting it
up takes about 15 minutes, with an admin here and an admin of your identity provider.

## 1. Our values for your IdP
In **Settings → Security → Single sign-on**, click **Configure SAML** and copy:
- **ACS URL** (Assertion Consumer Service): `https://app.example.com/sso/saml/acs/<workspace-id>`
- **Entity ID** (Audience): `https://app.example.com/sso/saml/<workspace-id>`
- **NameID format**: EmailAddress

## 2. In your IdP
| IdP | Where |
|---|---|
| Okta | Applications → Browse App Catalog (our app), or *Create App Integration* → SAML 2.0 |
| Microsoft Entra ID (Azure AD) | Enterprise applications → New application → our gallery app, or *Create your own application* |
| Google Workspace | Admin console → Apps → Web and mobile apps → *Add custom SAML app* |
| OneLogin | Applications → Add App → *SAML Custom Connector (Advanced)* |

Map the attributes `email` (required), `firstName` and `lastName`. Sign the assertion with
SHA-256. Assign the app to a small test group first.

## 3. Back here
Upload the IdP's metadata XML (or paste its SSO URL and certificate) and click **Test
sign-in**. When the test works:
- choose whether SSO is **optional** or **required** for members;
- keep at least one admin with password sign-in as a break-glass account;
- decide how accounts are created: invitations, just-in-time or SCIM (see *New users
  cannot sign in through SSO*).
""",
    ),
    ArticleSpec(
        key="saas-sso-tier2-checklist",
        title="SSO tickets: what to collect and how Tier 2 checks an assertion",
        language=EN,
        category="SSO / SAML",
        visibility=INTERNAL,
        tags=("sso", "bug"),
        questions=(
            "how do I read a saml trace",
            "what to collect before escalating an sso ticket",
            "where are the sso events of a workspace",
            "sso still fails after the customer uploaded the new certificate",
        ),
        body="""\
> Internal. Tier 1 collects; Tier 2 works SSO tickets.

## Tier 1: collect before escalating
- Workspace ID and IdP (Okta, Entra ID, Google, OneLogin, other);
- the exact time of one failed attempt, with time zone, and the user's email;
- a SAML trace (SAML-tracer extension) or a HAR file of that attempt;
- whether it fails for everyone or for some users, and since when.

Escalate when the customer articles did not help, and at once (urgent) when **nobody in an
Enterprise workspace** can sign in.

## Tier 2: checks
1. Admin console → Workspace → **SSO events**: find the attempt by email and time. The
   event names the validation step that failed (`signature`, `audience`, `destination`,
   `conditions`, `subject`).
2. Decode the SAMLResponse from the trace (Base64) and compare:
   - `Issuer` with the IdP Entity ID we store;
   - the `X509Certificate` in the signature with the fingerprints we hold (primary and
     secondary);
   - `NotBefore` / `NotOnOrAfter` with the event time (3 minutes of skew are allowed);
   - `Audience` and `Destination` with the workspace's values.
3. **Known issue (PRB-112)**: after a certificate upload the SSO service can keep the old
   certificate cached for up to 2 hours. Use **SSO → Flush metadata cache** in the admin
   console instead of asking the customer to change anything else.
4. Never ask for or accept an IdP's private key. If a customer sends one, delete the
   attachment and ask them to rotate the certificate.

## Hand over to Engineering
Only with an SSO event ID and a decoded assertion that passes every check above but still
fails. Link the ticket to the open SSO problem record if there is one.
""",
    ),
    ArticleSpec(
        key="saas-2fa-lost-device",
        title="Lost your phone or authenticator app? Signing in without your 2FA device",
        language=EN,
        category="Password & 2FA",
        visibility=PUBLIC,
        tags=(),
        questions=(
            "locked out after losing my authenticator app",
            "lost the phone with our 2fa codes",
            "how do I log in without my 2fa device",
            "where are my recovery codes",
            "new phone and the authenticator codes don't work",
            "our finance lead lost her phone and cannot log in",
        ),
        body="""\
## If you have your recovery codes
When you turned on two-factor authentication (2FA) you were given ten one-time recovery
codes. On the sign-in page choose **Use a recovery code** and enter one; each works once.
Then set up 2FA again on your new device in **Profile → Security** and download a fresh
set of codes.

## If you are a member (not the only admin)
Any admin of your workspace can reset your 2FA: **Settings → Members → (the person) →
Reset two-factor**. You then sign in with your password and set up 2FA again. Admins
cannot see or change your password this way.

## If you are the only admin, or every admin is locked out
Contact support from the email address of the account. For your security we verify your
identity before we remove 2FA: we call back a phone number on file for your company, or
confirm with another contact named on your contract. It usually takes one business day.
We never remove 2FA on the strength of a chat message alone.

## Changing phones
A new phone is not a lost phone: Google Authenticator, Microsoft Authenticator, 1Password
and most other apps can move your accounts to the new phone. Do it **before** you wipe
the old one.

## Avoid it next time
- Keep the recovery codes in your password manager;
- add a second method, such as a hardware security key;
- make sure your workspace has at least two admins.
""",
    ),
    ArticleSpec(
        key="saas-2fa-reset-verification",
        title="Removing a customer's 2FA: identity verification",
        language=EN,
        category="Password & 2FA",
        visibility=INTERNAL,
        tags=(),
        questions=(
            "customer lost their 2fa device, how do we verify who they are",
            "can I remove 2fa for a customer who asks on chat",
            "the only admin is locked out by 2fa",
            "2fa reset procedure for support",
        ),
        body="""\
> Internal. Removing 2FA hands the account to whoever asked for it. Account takeover
> through support is a known attack: follow every step, every time.

## When support removes 2FA
Only when no admin of the workspace can do it (the requester is the only admin, or every
admin is locked out). Otherwise, point the requester to an admin (*Lost your phone or
authenticator app?*).

## Verification: all three
1. The request comes **from the account's email address** (a reply in our thread, not a
   new thread from another address).
2. **Call back** a phone number that was on file before the request: the company number in
   the CRM or the contract's contact. Never call a number given in the request.
3. A second person confirms: another contact named on the contract, or the account's CSM
   with their usual contact.

For Enterprise accounts with a security contact on file, that contact approves in writing.

## Doing it
- Tier 2 only; Tier 1 prepares the ticket. Admin console → User → **Remove 2FA**, with the
  ticket number in the reason.
- The user's sessions end and every workspace admin is notified.
- Add an internal note saying how each check was done.

## Red flags: stop and escalate to Security
Pressure ("the CEO needs it in ten minutes"), an email address changed recently, a request
to change the email and remove 2FA at once, or a requester who cannot name the other
admins.
""",
    ),
    ArticleSpec(
        key="saas-password-reset-email",
        title="The password reset email doesn't arrive",
        language=EN,
        category="Password & 2FA",
        visibility=PUBLIC,
        tags=(),
        questions=(
            "password reset email never arrives",
            "not getting the reset password email, not even in spam",
            "forgot password email not received",
            "reset link says expired",
            "tried to reset my password 3 times and got nothing",
        ),
        body="""\
## Check first
1. **Spam and quarantine**: company mail filters (Microsoft Defender, Mimecast, Proofpoint)
   often quarantine reset emails because they contain a sign-in link. Ask your IT team to
   look for mail from `no-reply@mail.example.com` in the quarantine.
2. **The right address**: we send the email only to an address that has an account. For
   privacy the page always says "If an account exists, we sent an email".
3. **SSO required**: if your workspace requires single sign-on there is no password to
   reset and no email is sent. Use **Sign in with SSO**.
4. **Too many attempts**: we send at most 5 reset emails per hour to one address. Wait an
   hour and try once.

## Ask IT to allow-list
- the sender domain `mail.example.com` (signed with SPF and DKIM);
- links to `app.example.com`. Some gateways rewrite links and open them once to scan them,
  which uses up the one-time link: if the link says *expired* straight away, ask IT to
  exclude our domain from link scanning.

## Links expire
A reset link works once, for 60 minutes. Asking for a new one cancels the older ones, so
always use the newest email.

## Still nothing?
An admin of your workspace can send you a new invitation from **Settings → Members**.
Otherwise, contact support with the address you tried and the time.
""",
    ),
    ArticleSpec(
        key="saas-2fa-enforce",
        title="Require two-factor authentication for admins or for everyone",
        language=EN,
        category="Password & 2FA",
        visibility=CUSTOMERS,
        tags=("sso",),
        questions=(
            "can we enforce 2FA for all admins?",
            "require two factor for everyone in our workspace",
            "our security review asks for mandatory MFA",
            "make 2fa mandatory",
            "do sso users need 2fa too",
        ),
        body="""\
Admins on every plan can require 2FA for admins; requiring it for everyone needs the
Business or Enterprise plan.

## Turn it on
1. **Settings → Security → Two-factor authentication**.
2. Choose **Required for admins** or **Required for everyone**.
3. Choose a grace period (0, 3, 7 or 14 days). During it, people without 2FA are asked to
   set it up at each sign-in; after it, they cannot use the workspace until they do.
4. **Save**. Everyone affected gets an email.

## What counts as 2FA
- an authenticator app (TOTP);
- a hardware security key (FIDO2 / WebAuthn), which we recommend for admins;
- SMS codes, unless you untick **Allow SMS** (security teams usually do).

## SSO users
People who sign in through SAML SSO are not asked for our 2FA: multi-factor
authentication is your identity provider's job, so enforce MFA there. Admins who keep
password sign-in as a break-glass account **are** asked for our 2FA.

## For your security review
The **Security** page shows who has set up 2FA, and **Export 2FA status** gives the list
as CSV. Every change of the requirement is in the audit log.
""",
    ),
    ArticleSpec(
        key="saas-invoice-details",
        title="Wrong company name, address or VAT number on an invoice",
        language=EN,
        category="Invoices",
        visibility=CUSTOMERS,
        tags=("billing",),
        questions=(
            "invoice shows the wrong VAT number",
            "our invoice still has last year's VAT ID",
            "change the billing address on our invoices",
            "need an invoice reissued with our new company name",
            "accounting will not accept the invoice",
            "add a PO number to invoices",
        ),
        body="""\
## Correct your details for future invoices
Billing admins: **Settings → Billing → Billing profile**. There you change the company
name, billing address, VAT or tax ID, billing email and PO number. Changes apply from the
**next** invoice; invoices already issued do not change by themselves.

EU VAT numbers are checked against VIES when you save. With a valid VAT number and an
address in another EU country than ours, the invoice applies the reverse charge (0 % VAT,
marked "Reverse charge").

## Invoices already issued
Tax law does not let us edit an issued invoice. We issue a **credit note** for the old
invoice and a **new invoice** with the corrected details:
1. correct the billing profile first;
2. reply on your ticket (or open one from **Billing → Invoices**) with the numbers of the
   invoices to correct;
3. billing sends the credit notes and the new invoices within 3 business days.

We reissue invoices of the current and the previous calendar year. The amount stays the
same, unless the correction changes the VAT due (for example when a valid VAT number was
missing): then the difference is refunded or charged.

## PO numbers
If your accounts payable team needs a PO number on each invoice, add it to the billing
profile before the invoice date. A reissued invoice can carry a PO number too.
""",
    ),
    ArticleSpec(
        key="saas-duplicate-charge",
        title="Charged twice? Pending authorizations, duplicate charges and refunds",
        language=EN,
        category="Invoices",
        visibility=CUSTOMERS,
        tags=("billing",),
        questions=(
            "charged twice for the Business plan this month",
            "double charge on our credit card",
            "two payments on the same day",
            "how do I get a refund for a duplicate payment",
            "why is there a pending charge on my card",
        ),
        body="""\
## Is it really two charges?
| What you see | What it is | What happens |
|---|---|---|
| One charge and one *pending* amount of the same size | A card authorization from a failed or repeated payment attempt | Your bank releases it in 3–7 business days; it is never collected |
| A charge of 1 USD or 1 EUR | Card verification when a card is added | Released automatically |
| Two completed charges with two invoices | Two subscriptions, for example two workspaces | Check **Billing → Invoices** in each workspace |
| Two completed charges with one invoice | A real duplicate charge | Refunded in full |

## What we need
The dates and amounts from your card statement (and only the last four digits of the
card), and your workspace ID. **Billing → Payment history** shows us every attempt and its
status.

## Refunds
- A confirmed duplicate is refunded to the card it was taken from within one business day;
  your bank takes 5–10 business days to show it.
- If the card has been cancelled since, the bank passes the refund to the new card or
  account; if it cannot, we refund by bank transfer.
- You receive a credit note for the duplicate.

## Why it happens
Duplicates usually follow a payment retried after a 3-D Secure timeout. If the payment
page seems to hang, wait a few minutes and look at **Payment history** before paying
again.
""",
    ),
    ArticleSpec(
        key="saas-invoice-download",
        title="Download invoices and receipts as PDF",
        language=EN,
        category="Invoices",
        visibility=PUBLIC,
        tags=("billing",),
        questions=(
            "need invoices for the last 6 months as PDF",
            "where can I download our invoices",
            "our auditors need every invoice since January",
            "send invoices to accounts payable automatically",
            "I can't see the billing page",
        ),
        body="""\
## Download
The account owner and billing admins: **Settings → Billing → Invoices**.
- Each row has **PDF** (the invoice) and **Receipt** (for paid invoices).
- For several at once, filter by date, select the invoices and click **Download
  selected**: you get a ZIP file with one PDF per invoice.
- Invoices are kept for 7 years.

## Send invoices to accounts payable
Add up to 5 addresses under **Billing profile → Invoice recipients**. Every new invoice and
receipt is emailed to them as a PDF attachment; they do not need an account.

## You cannot see the Billing page
Only the account owner and members with the *Billing admin* role see it. Ask the owner to
give you the role in **Settings → Members**, or to download the invoices for you.

## With the API
`GET /v2/invoices` lists invoices (filter with `issued_after` and `issued_before`) and
`GET /v2/invoices/{id}/pdf` returns the PDF. The API key needs the `billing:read` scope.

## Statements
For a statement of account (every invoice and payment of a period on one page), ask
billing on a ticket; it is sent within 2 business days.
""",
    ),
    ArticleSpec(
        key="saas-refund-authority",
        title="Refunds, credits and discounts: who may approve what",
        language=EN,
        category="Billing",
        visibility=INTERNAL,
        tags=("billing", "churn-risk"),
        questions=(
            "how much credit can I give a customer",
            "refund approval limits",
            "who approves a refund over 1000",
            "goodwill credit after an outage",
            "can frontline issue a credit note",
        ),
        body="""\
> Internal. Amounts are per account over a rolling 12 months, in the account's currency.

| Role | Goodwill credit | Duplicate charge or billing error | Refund of unused subscription | Renewal discount |
|---|---|---|---|---|
| Frontline agent | up to 100 | full amount, once Billing confirms the error | — | — |
| Team lead | up to 500 | full amount | up to 1,000 | — |
| Tier 2 / CSM | up to 2,000 | full amount | up to 5,000 | up to 10 % |
| Head of Customer Success | above 2,000 | — | above 5,000 | up to 25 % |
| Finance (CFO) | — | — | — | above 25 % |

## Rules
- **Billing errors are not goodwill**: a duplicate charge or a wrong plan on our side is
  refunded in full and does not count against the limits.
- Outage credits follow the contract's SLA (Enterprise: 10 % of the monthly fee for each
  started 0.1 % below 99.9 % uptime, at most 50 %). Offer them; do not wait to be asked.
- Annual plans are not refundable unless the contract says so. A refund of an unused
  subscription needs a reason on the ticket (product not working as sold, mis-sale) and the
  approver's name.
- Never promise an amount before it is approved: "I'm checking what I can do for you."
- Record every credit or refund on the ticket with amount, reason and approver, and tag it
  `billing`; add `churn-risk` if the customer mentioned leaving.
""",
    ),
    ArticleSpec(
        key="saas-proration",
        title="Changing plan or seats mid-cycle: how proration works",
        language=EN,
        category="Plan changes",
        visibility=PUBLIC,
        tags=("billing",),
        questions=(
            "upgrade from Growth mid-cycle: how is it prorated?",
            "reduce seats from 40 to 35 at renewal",
            "what happens if we add users in the middle of the year",
            "we want to move to the next tier now but renewal is in 3 days",
            "how are extra seats charged",
            "can we remove seats before the end of the contract",
            "some contractors left, we need fewer seats",
        ),
        body="""\
## Upgrades take effect at once
When you move to a higher plan (Growth → Business → Enterprise) or add seats, the change is
immediate and you pay the **prorated difference** for the rest of the billing period.

Example: an annual Business plan with 20 seats at 30 USD per seat per month, renewing on
1 January. On 1 October you add 5 seats: you pay 5 × 30 × 3 = 450 USD for October to
December, and the renewal on 1 January is for 25 seats.

On monthly plans the prorated amount is added to the next invoice; on annual plans it is
invoiced at once.

## Reducing seats
- **Monthly plans**: remove seats at any time; the next invoice has the lower number. The
  current month is not refunded.
- **Annual plans**: you cannot go below the seats committed for the year, but you can set
  the number for the next year in **Settings → Billing → Seats → Change at renewal**. Do it
  before the renewal invoice is created, 7 days before the renewal date.
- Deactivating a user frees their seat for someone else; it does not lower the number of
  seats you pay for.

## Upgrading close to renewal
If your renewal is only days away, ask us to start the upgrade at renewal, so that you get
one invoice instead of two. Reply on your ticket before the renewal invoice is created.

## Downgrades
A lower plan takes effect at renewal: see *Downgrading your plan or cancelling at
renewal*.
""",
    ),
    ArticleSpec(
        key="saas-downgrade",
        title="Downgrading your plan or cancelling at renewal",
        language=EN,
        category="Plan changes",
        visibility=CUSTOMERS,
        tags=("billing", "churn-risk"),
        questions=(
            "downgrade request before renewal",
            "budget cuts: we need to downgrade before the renewal date",
            "what do we lose if we go from Business to Growth",
            "cancel our subscription at the end of the term",
            "how much notice do you need to downgrade",
        ),
        body="""\
## When it takes effect
A downgrade or a cancellation takes effect at the **end of the current term**; until then
you keep everything you paid for.
- Monthly plans: change it before the next billing date in **Settings → Billing → Plan**.
- Annual plans: tell us at least **30 days before the renewal date** (Enterprise contracts
  may say 60 or 90 days: see your order form). Later than that, the renewal invoice is
  issued and the downgrade applies a year later.

## What changes when you move down
| Feature | Enterprise | Business | Growth |
|---|---|---|---|
| SAML single sign-on | yes | yes | — |
| SCIM provisioning | yes | — | — |
| API requests per minute | 1,200 | 600 | 120 |
| Scheduled exports | yes | yes | — |
| Audit log kept for | 2 years | 1 year | 90 days |

A downgrade never deletes data. Features you no longer have are switched off: SSO becomes
password sign-in (make sure everyone can reset a password), scheduled exports stop, and
older audit-log entries are no longer shown.

## Before you decide
Your Customer Success Manager can often help: fewer seats instead of a lower plan, a
shorter commitment, or switching off add-ons you do not use. Reply on your ticket and we
will set up a short call.

## Cancelling
After a cancellation your data stays readable for 30 days after the term ends, so that you
can export it (see *Exporting a large workspace*). Then it is deleted.
""",
    ),
    ArticleSpec(
        key="saas-churn-playbook",
        title="Downgrade and cancellation requests: the save playbook",
        language=EN,
        category="Plan changes",
        visibility=INTERNAL,
        tags=("churn-risk",),
        questions=(
            "customer wants to cancel, what do I do",
            "how do we handle a downgrade request",
            "when do I tag churn-risk",
            "what retention offers can we make",
        ),
        body="""\
> Internal. For the frontline and CSMs.

## Within one business day
1. Tag the ticket `churn-risk` and add the CSM as a follower. Do not process the
   downgrade yet, unless the customer insists or the deadline is within 3 days.
2. Reply: confirm the request and when it would take effect, and offer a 20-minute call
   with their CSM "to make sure the new plan fits".
3. Look up seats used against seats paid (Admin console → Usage), the admins' last sign-in,
   open tickets and CSAT of the last 90 days, the renewal date and the notice period.

## The usual reasons, and what to offer
| Reason | Offer (within the authority limits) |
|---|---|
| Budget cut | Fewer seats on the same plan; quarterly billing; up to 10 % off the renewal (Tier 2 / CSM) |
| Low adoption | Free admin training and a 60-day adoption plan |
| Missing feature | Product feedback with the account's ARR; a workaround article |
| Bad support experience | An apology, a credit within the limits, a named contact for 90 days |
| Company closing or merged | Process it; no offers |

## Rules
- Never make cancelling hard. If the customer repeats the request after one offer, process
  it the same day.
- Record the reason in the ticket's *churn reason* field: the weekly review reads it.
""",
    ),
    ArticleSpec(
        key="saas-api-rate-limits",
        title="API rate limits and HTTP 429 Too Many Requests",
        language=EN,
        category="Rate limits",
        visibility=PUBLIC,
        tags=("api",),
        questions=(
            "HTTP 429 on /v2/contacts during our nightly sync",
            "what are the API rate limits for our plan?",
            "rate limit headers missing on /v2/search",
            "too many requests error from the api",
            "X-RateLimit-Remaining header is not returned",
            "how many api calls per minute can we make",
            "we plan to migrate 5 million records, what are the limits",
        ),
        body="""\
Limits apply per **workspace** (all API keys of a workspace share them), per minute.

| Plan | Requests per minute | /v2/search per minute |
|---|---|---|
| Growth | 120 | 20 |
| Business | 600 | 60 |
| Enterprise | 1,200 | 120 |

Batch endpoints (`POST /v2/contacts/batch`, `POST /v2/events/batch`) take up to 100
records and count as **one** request.

## Headers
Every response, errors included, carries:
- `X-RateLimit-Limit`: your limit for this group of endpoints;
- `X-RateLimit-Remaining`: requests left in the current window;
- `X-RateLimit-Reset`: the Unix time when the window resets.

A `429 Too Many Requests` response also has `Retry-After`, in seconds.

**Headers missing?** We always send them. If your code does not see them, a proxy or API
gateway between you and us may strip unknown headers; in a browser, check that your HTTP
client reads the headers we list in `Access-Control-Expose-Headers`; and for `/v2/search`,
make sure you call `api.example.com` and not the web app's own search URL.

## Handling 429
1. Wait for the number of seconds in `Retry-After`, then retry.
2. On repeated 429s, back off exponentially with jitter (1 s, 2 s, 4 s… up to 60 s).
3. Spread nightly jobs: a sync that sends everything at 02:00 UTC hits the limit even when
   the daily total is small.
4. Use the batch endpoints and `updated_since` filters instead of reading everything again.

## Large migrations
For a one-off import of millions of records, ask support for a **temporary increase** at
least 3 business days ahead, with the expected volume and dates.
""",
        stage="revised",
        by="saas.ethan",
        note="Business plan limit raised to 600 per minute; back off on Retry-After",
        earlier=(
            ("| Business | 600 | 60 |", "| Business | 300 | 30 |"),
            (
                "1. Wait for the number of seconds in `Retry-After`, then retry.",
                "1. Wait one minute, then retry.",
            ),
        ),
    ),
    ArticleSpec(
        key="saas-rate-limit-increase",
        title="Temporary API quota overrides: when and how to grant them",
        language=EN,
        category="Rate limits",
        visibility=INTERNAL,
        tags=("api",),
        questions=(
            "customer asks for a higher api limit",
            "how do I raise the rate limit for a workspace",
            "temporary limit increase for a migration",
            "customer keeps hitting 429, can we raise their limit",
        ),
        body="""\
> Internal. Tier 2 grants; Tier 1 collects the request.

## When
- A one-off migration or backfill with a known volume and end date;
- an incident on our side left the customer with a backlog to catch up;
- an Enterprise customer during an agreed launch.

**Not** for a sync that is simply badly built: first help them use batch endpoints,
`updated_since` and backoff (see *API rate limits and HTTP 429*). A permanent increase is a
plan or contract question for the CSM.

## How much, how long
| Plan | Up to | For at most |
|---|---|---|
| Growth | 3× | 3 days |
| Business | 5× | 7 days |
| Enterprise | 5× | 14 days (longer with Engineering's approval) |

`/v2/search` is never raised above 2×: it is the most expensive endpoint.

## Doing it
1. Admin console → Workspace → **API limits → Temporary override**: factor, start, end, and
   the ticket number as the reason.
2. Tell the customer the new limit and the exact end time in UTC, and that
   `X-RateLimit-Limit` shows the raised value while it lasts.
3. Set a follow-up on the ticket for the end date.

Overrides end by themselves. Above 5× or for more than 14 days, ask in #api-platform first:
large backfills are scheduled outside the US business day.
""",
    ),
    ArticleSpec(
        key="saas-webhook-delivery",
        title="Webhooks not arriving: delivery, retries and duplicates",
        language=EN,
        category="Webhooks",
        visibility=PUBLIC,
        tags=("webhook", "api"),
        questions=(
            "webhook ticket.updated not delivered since yesterday",
            "our endpoint does not receive any webhooks",
            "the delivery log shows timeouts",
            "duplicate invoice.paid webhook deliveries",
            "each event arrives 3 times",
            "E_WEBHOOK_TIMEOUT",
            "how do webhook retries work",
        ),
        body="""\
## How delivery works
We send each event as an HTTPS `POST` with a JSON body. Your endpoint must answer with a
**2xx status within 10 seconds**. Anything else (a timeout, 3xx, 4xx, 5xx, a TLS error) is
a failure, and we retry after 1 minute, 5 minutes, 30 minutes, 2 hours, 6 hours and 12
hours. After the last retry the delivery is marked **failed**.

If every delivery to an endpoint fails for 3 days, we **disable the endpoint** and email
the workspace admins.

## What happened to my events?
**Settings → Developers → Webhooks → (endpoint) → Delivery log** shows each attempt with
the status code, the response time and the first kilobyte of your response.
`E_WEBHOOK_TIMEOUT` means your endpoint did not answer within 10 seconds.

## Common causes
- **A slow handler** that does the work before answering: answer `200` at once and process
  the event in a background job.
- **A firewall**: allow our sending IP ranges, listed on the Webhooks page (changes are
  announced 30 days ahead).
- **An expired or self-signed TLS certificate** on your endpoint.
- **A disabled endpoint**: enable it again, then click **Redeliver failed** to resend the
  failed events of the last 7 days.

## Duplicates
Delivery is **at least once**. When your endpoint processes an event but answers too late,
we retry, and you receive it again. Every delivery of one event has the same
`X-Webhook-Id` header and the same `id` in the body: keep the IDs you have processed for 7
days and skip repeats. Do not rely on the order of events either; use `occurred_at`.
""",
    ),
    ArticleSpec(
        key="saas-webhook-signature",
        title="Verifying webhook signatures (HMAC-SHA256)",
        language=EN,
        category="Webhooks",
        visibility=PUBLIC,
        tags=("webhook", "api"),
        questions=(
            "webhook signature verification fails",
            "the HMAC we compute never matches the signature header",
            "how do I verify a webhook signature",
            "signature mismatch since your last release",
            "how to rotate the webhook secret",
        ),
        body="""\
Each webhook request carries two headers:
- `X-Webhook-Timestamp`: the Unix time when we sent it;
- `X-Webhook-Signature`: `v1=` and the hex HMAC-SHA256 of `timestamp + "." + raw body`,
  keyed with your endpoint's signing secret.

## Verify
```python
import hashlib, hmac, time

def verify(secret: str, timestamp: str, raw_body: bytes, header: str) -> bool:
    if abs(time.time() - int(timestamp)) > 300:
        return False  # too old: a possible replay
    signed = timestamp.encode() + b"." + raw_body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, part.strip()) for part in header.split(","))
```

## Why it does not match
1. **A parsed body**: sign the **raw bytes** as received. Frameworks that parse the JSON
   and serialize it again change spaces and key order (Express: `express.raw()` on the
   webhook route; Django: `request.body`; Flask: `request.get_data()`).
2. **The wrong secret**: each endpoint has its own secret (`whsec_…`); after a rotation,
   update your configuration.
3. **No timestamp**: the signed string is `timestamp.body`, not the body alone.
4. **Encoding**: compare lower-case hex strings; do not Base64-encode.
5. **Two signatures**: while a secret is being rotated the header holds two signatures,
   separated by a comma. Accept the request if either matches.

## Rotating the secret
**Settings → Developers → Webhooks → (endpoint) → Rotate secret**. For 24 hours we sign
with both the old and the new secret, so you can deploy the new one without losing events.
""",
    ),
    ArticleSpec(
        key="saas-export-large",
        title="Exporting a large workspace: timeouts and size limits",
        language=EN,
        category="Export",
        visibility=PUBLIC,
        tags=("export",),
        questions=(
            "CSV data export times out",
            "exporting the full workspace runs for 40 minutes and then fails",
            "ERR_EXPORT_TIMEOUT",
            "xlsx export is too big",
            "how do we export all our data",
            "export never finishes",
        ),
        body="""\
## How exports run
Exports run in the background. When the file is ready we email a download link, valid for
7 days, to the person who started it; it is also under **Settings → Data → Exports**. You
do not need to keep the page open.

## Limits
| Format | Limit |
|---|---|
| CSV | no row limit; files over 1 GB are split into parts inside a ZIP |
| XLSX | 1,048,576 rows per sheet (Excel's own limit) |
| JSON | no row limit; one JSON object per line (JSON Lines) |

An export job stops after **6 hours** with `ERR_EXPORT_TIMEOUT`.

## When a full export times out
- **Export by date range**: filter on *Created*, one year at a time, and start several
  exports; they run side by side.
- **Choose CSV or JSON**, not XLSX, above a million rows: XLSX is slower to build and
  fails when a sheet is full.
- **Leave attachments out**: tick *Attachments as links* instead of *Include attachment
  files*. Attachments are usually most of the size.
- **Use the API** for a complete copy: `POST /v2/exports` starts the same job and returns
  its ID; poll `GET /v2/exports/{id}` until its status is `done`.

## Regular backups
For a nightly or weekly copy, use a scheduled export to your own storage (Business and
Enterprise; see *Scheduled exports stopped running*) instead of downloading by hand.
""",
    ),
    ArticleSpec(
        key="saas-export-custom-fields",
        title="Custom fields missing from an export",
        language=EN,
        category="Export",
        visibility=CUSTOMERS,
        tags=("export",),
        questions=(
            "export is missing custom fields",
            "custom fields created last month are not in the export file",
            "why are some columns empty in the csv",
            "add custom fields to our scheduled export",
            "export column names look like cf_something",
        ),
        body="""\
## Saved export templates keep their columns
An export uses a **template**: the columns chosen when the template was saved. Custom
fields created **after** that are not added automatically, so that scheduled exports, and
the scripts that read them, keep a stable format.

To add them: **Settings → Data → Exports → Templates → (template) → Columns**, tick the new
custom fields and save. The next export has the new columns at the end.

## Other reasons a custom field is missing or empty
| Situation | Explanation |
|---|---|
| The field is restricted | Fields that only some roles can see are exported only when the person or API key starting the export can see them |
| The field belongs to another record type | A custom field of *Organizations* is not in a *Contacts* export: tick *Include related organization fields* |
| The field is archived | Archived fields are left out: restore it, or tick *Include archived fields* |
| A multi-select field | Its values are joined with `;` in one column |

## Column names
Custom-field columns are named by the field's **API name** (for example
`cf_contract_tier`), not its label, so that renaming a label does not break your scripts.
Tick *Use labels as headers* for a file meant for people.
""",
    ),
    ArticleSpec(
        key="saas-export-scheduled",
        title="Scheduled exports to S3, Azure Blob or SFTP stopped running",
        language=EN,
        category="Export",
        visibility=CUSTOMERS,
        tags=("export",),
        questions=(
            "scheduled CSV export stopped running",
            "the weekly export to our S3 bucket has not run for 5 days",
            "scheduled export fails with AccessDenied",
            "how do we set up a scheduled export",
            "export schedule shows paused",
        ),
        body="""\
Scheduled exports (Business and Enterprise) write a CSV, XLSX or JSON file to your own
storage every day or every week.

## Why a schedule stops
After **3 failed runs in a row** we pause the schedule and email its creator and the
workspace admins. **Settings → Data → Exports → Schedules** shows *Paused* and the last
error.

| Last error | Cause | Fix |
|---|---|---|
| `AccessDenied` (S3) | The bucket policy or IAM role changed, or the role's external ID | Check that the role still allows `s3:PutObject` on the prefix and trusts our account with your external ID |
| `InvalidAccessKeyId` (S3) | The access key was rotated or deleted | Update the credentials on the schedule (an IAM role is better) |
| `AuthorizationFailure` (Azure) | The SAS token expired | Create a SAS token with write permission and a longer expiry |
| `Host key mismatch` (SFTP) | Your server's host key changed | Confirm the new fingerprint on the schedule |
| `ERR_EXPORT_TIMEOUT` | The export grew past 6 hours | Split it by date range, or switch to incremental |

## Start it again
1. Fix the cause and click **Test connection**.
2. Click **Resume**. The next run is at the scheduled time; **Run now** catches up.

Missed runs are not repeated by themselves. An **incremental** schedule (records changed
since the last successful run) catches up on everything at its next run.

## Whose schedule is it?
A schedule runs with the permissions of the person who created it. If that person leaves
and is deactivated, the schedule fails: give it to another admin (**Change owner**) before
deactivating them.
""",
    ),
    ArticleSpec(
        key="saas-import-csv-errors",
        title='CSV import fails with "unexpected value" at a row',
        language=EN,
        category="Import",
        visibility=PUBLIC,
        tags=("onboarding",),
        questions=(
            "CSV import fails at row 300",
            "the import stops with unexpected value and no detail",
            "Salesforce import failed",
            "HubSpot import error",
            "which rows failed in our import",
            "import file is too large",
        ),
        body="""\
## Get the error report
When an import stops, open **Settings → Data → Imports → (the import) → Error report**. It
lists every failed row with the column and the reason. Rows before the first error are
imported; rows after it are not, unless you ticked *Skip rows with errors*.

## The usual causes of "unexpected value"
| Cause | Fix |
|---|---|
| A value that is not in a picklist (`Gold ` with a trailing space, or `gold` when the option is `Gold`) | Correct the value, or tick *Add new picklist values* |
| A date in another format | Use ISO 8601 (`2025-03-31`), or choose the file's date format in step 2 |
| A line break inside an unquoted cell | Save as *CSV UTF-8* from Excel, which quotes such cells |
| Another separator | Files with semicolons (European Excel settings): choose *Semicolon* in step 1 |
| Numbers with thousands separators | Remove them: `1200.50`, not `1.200,50` |
| A file that is not UTF-8 | Save as *CSV UTF-8*: other encodings garble accented and Chinese letters |

## Limits
Up to 200,000 rows and 50 MB per file. Split larger files, or use the API's batch
endpoints.

## From Salesforce or HubSpot
The connectors import through the same steps. A failure shows the source record's ID in
the error report: fix the record in the source system, or map the field to another target
in **Field mapping**, then click **Retry failed rows**.

## Running it again safely
Choose a unique column as **external ID** (for example the CRM's record ID). Running the
import again then updates the records it created instead of creating duplicates.
""",
    ),
    ArticleSpec(
        key="saas-import-dates",
        title="Imported dates are off by one day (time zones)",
        language=EN,
        category="Import",
        visibility=PUBLIC,
        tags=(),
        questions=(
            "imported dates are off by one day",
            "all imported due dates moved one day back",
            "time zone problem in our import",
            "dates are wrong after the csv import",
            "how do we fix dates that shifted",
        ),
        body="""\
## Why it happens
A value like `2025-03-31` without a time is a *date*. Imported into a **date-time** field,
it is read as midnight **UTC** (`2025-03-31T00:00Z`). Shown in New York (UTC−4 or UTC−5),
that is the evening of **30 March**: everyone west of UTC sees the day before.

## Avoid it
- In step 2 of the import, set **Time zone of the file** to your own time zone: dates
  without a time are then read as midnight in that zone.
- Or import into a **date** field (no time) if the field only ever holds a day: due
  dates, renewal dates, birthdays.
- Or give full timestamps with an offset: `2025-03-31T09:00:00-04:00`.

## Fix records already imported
1. Export the affected records with their ID.
2. Correct the dates in the file (or reuse the original file).
3. Import again with *Update existing records*, matched on the ID (or your external ID),
   with the right time zone, and only the date columns mapped.

Only the mapped columns change; everything else, history included, stays as it was.

## Check your profile too
Dates are shown in each user's own time zone (**Profile → Preferences → Time zone**). A
user whose profile still says UTC sees other days than their colleagues.
""",
    ),
    ArticleSpec(
        key="saas-onboarding",
        title="Onboarding: kickoff, admin training, data migration and the first steps",
        language=EN,
        category="Onboarding",
        visibility=PUBLIC,
        tags=("onboarding",),
        questions=(
            "scheduling our kickoff session",
            "we signed last week and would like to book the admin training",
            "onboarding checklist: next steps after kickoff",
            "what should we set up before inviting users",
            "book a data migration session",
            "who should attend the kickoff",
        ),
        body="""\
New customers on the Business and Enterprise plans get three onboarding sessions with an
onboarding manager. Book them from the welcome email, or ask on a ticket.

| Session | Length | Who should attend | Before the session |
|---|---|---|---|
| Kickoff | 45 min | Project owner, workspace admin, IT contact | Your goals and go-live date |
| Admin training | 90 min | Every workspace admin | Admin accounts created |
| Data migration | 60 min | An admin and the owner of the old system | A sample export of your data |

## Checklist after the kickoff
1. **Verify your email domain** (**Settings → Security → Domains**): SSO and
   just-in-time accounts need it.
2. **Set up SSO**, if you use it, and test it with the admins first.
3. **Create teams and roles** (see *Designing workspaces, teams and permissions*).
4. **Custom fields and picklists**, before importing, so that the import can fill them.
5. **Import your data**: a test file of 100 rows first, then the full file.
6. **Integrations and webhooks**: connect your CRM, chat and email.
7. **Notifications**: set the defaults for new users.
8. **Invite a pilot group** of 5–10 people for a week, then everyone.

Most customers go live 3–6 weeks after the kickoff. Your onboarding manager checks in every
week until then, and hands you over to your Customer Success Manager at go-live.
""",
    ),
    ArticleSpec(
        key="saas-workspace-design",
        title="Designing workspaces, teams and permissions",
        language=EN,
        category="Onboarding",
        visibility=CUSTOMERS,
        tags=("onboarding",),
        questions=(
            "need help configuring workspaces for 5 teams",
            "one workspace or several?",
            "different permissions for each team",
            "can we create custom roles",
            "guest access for contractors",
        ),
        body="""\
## One workspace or several?
Use **one workspace** for your company in almost every case: search, reports and
integrations work across it, and people who work with several teams need one login. Use
**separate workspaces** only where data must be strictly apart: different legal entities,
data kept in the EU and in the US, or a sandbox for testing.

## Teams
Create a team for each group that owns work (Support EMEA, Finance, Marketing Ops). Teams
decide who sees what by default and who receives assignments.

## Roles
| Role | Can |
|---|---|
| Owner | Everything, including billing and deleting the workspace (one person) |
| Admin | Settings, members and integrations; billing only with the *Billing admin* role |
| Member | Work in the teams they belong to |
| Guest | Only the records shared with them; free, up to 2 guests per paid seat |

Enterprise workspaces can define **custom roles**, for example a read-only auditor, or a
team lead who manages the members of their own team only.

## Principles that save trouble later
- Give permissions to **teams**, not to individuals.
- Keep admins few (2–4), and never fewer than two.
- Name teams after functions, not people.
- Add contractors as guests, with an end date.
- Write the structure down before go-live; your onboarding manager reviews it with you in
  the admin training.
""",
    ),
    ArticleSpec(
        key="saas-escalation-engineering",
        title="Severity levels and escalating to Engineering",
        language=EN,
        category="API & Integrations",
        visibility=INTERNAL,
        tags=("bug",),
        questions=(
            "when do I escalate to engineering",
            "what severity is this bug",
            "how to file a bug for engineering",
            "a customer reports an outage, what do I do",
            "sev1 definition",
        ),
        body="""\
> Internal.

| Severity | Definition | Examples | Escalate | Customer updates |
|---|---|---|---|---|
| Sev 1 | Service down or data lost, for many customers or for one Enterprise customer | Nobody can sign in; the API answers 5xx | At once: page Engineering on-call, post in #incident | Every 30 minutes |
| Sev 2 | A main feature broken, no workaround | Webhooks not delivered; exports failing for a workspace | Within 2 hours, child ticket to Engineering | Every 4 business hours |
| Sev 3 | Broken with a workaround, or a minor feature | A field missing from an export; a wrong label | Bug ticket, next triage | When there is news, at least weekly |
| Sev 4 | Cosmetic, or a question about behaviour | A typo, an alignment | Product feedback | — |

## Before escalating (Tier 2)
- Reproduce it, or say why it cannot be reproduced;
- collect request IDs, the workspace ID, times with time zone, HAR files or logs;
- check the status page and the open problem records: link the ticket to an existing
  problem rather than filing a new bug.

## The child ticket
Title: what is broken, for whom. Body: steps to reproduce, expected and actual result,
impact (how many accounts, ARR, Enterprise or not), the workaround given. Tag `bug`. The
parent ticket stays with Tier 2, who keeps the customer informed; Engineering does not
write to customers.

## Outages
In a Sev 1 the incident lead posts on the status page within 15 minutes. The frontline
links every related ticket to the incident's problem record and answers with the status
page link: no guesses about causes or times.
""",
    ),
    ArticleSpec(
        key="saas-api-v1-migration",
        title="Moving from API v1 to v2",
        language=EN,
        category="API & Integrations",
        visibility=PUBLIC,
        tags=("api",),
        questions=(
            "our integration still uses /v1",
            "what changed between api v1 and v2",
            "v1 endpoints return 410 gone",
        ),
        body="""\
API v1 was switched off; requests to `/v1/…` now answer `410 Gone`. Most integrations
move to v2 in a day.

## What changed
| v1 | v2 |
|---|---|
| `GET /v1/contacts?page=3` (page numbers) | `GET /v2/contacts?cursor=…` (cursors, from `next_cursor`) |
| API key in the `api_key` query parameter | `Authorization: Bearer <key>` header |
| Dates as `31/03/2025` | ISO 8601 in UTC: `2025-03-31T09:00:00Z` |
| One record per `POST` | Batch endpoints, up to 100 records per request |
| Errors as `{"error": "…"}` | Problem details: `{"type", "title", "detail", "request_id"}` |

## Steps
1. Create a new API key with only the scopes you need (v1 keys keep working on v2).
2. Change the base URL, the authentication header and pagination.
3. Use batch endpoints for bulk writes.
4. Read the new error format, and log `request_id`: support asks for it.
""",
        stage="draft",
        by="saas.noah",
    ),
    ArticleSpec(
        key="saas-audit-log-export",
        title="Exporting the audit log",
        language=EN,
        category="Export",
        visibility=CUSTOMERS,
        tags=("export",),
        questions=(
            "how do we export the audit log",
            "auditors want a list of admin changes",
            "how long is the audit log kept",
        ),
        body="""\
The audit log records sign-ins, changes to settings, members and roles, API keys, exports
and deletions. Admins see it in **Settings → Security → Audit log**.

## Export
1. Filter by date, person or kind of event.
2. Click **Export** and choose CSV or JSON. Large exports run in the background and arrive
   by email.

Each row has the time (UTC), the person or API key, their IP address, the event, and the
values before and after a change.

## How long it is kept
Enterprise: 2 years. Business: 1 year. Growth: 90 days. For longer retention, schedule a
monthly export to your own storage, or stream events to your SIEM with the `audit.*`
webhooks.
""",
        stage="in_review",
        by="saas.olivia",
    ),
    ArticleSpec(
        key="saas-api-v1-limits",
        title="API v1 rate limits",
        language=EN,
        category="Rate limits",
        visibility=PUBLIC,
        tags=("api",),
        questions=(
            "what is the rate limit of api v1",
            "v1 api limit per hour",
        ),
        body="""\
API v1 allows **5,000 requests per hour** per API key on every plan. When the limit is
reached, the API answers `403` with `{"error": "rate limit exceeded"}` until the next full
hour.

There are no rate-limit headers in v1. Spread your requests over the hour, and cache
responses that do not change often.
""",
        stage="archived",
        by="saas.mia",
        note="API v1 is switched off; see API rate limits and HTTP 429 Too Many Requests",
    ),
    ArticleSpec(
        key="saas-zh-fapiao",
        title="中国客户的发票：增值税电子发票的开具与更正",
        language=ZH,
        category="Invoices",
        visibility=CUSTOMERS,
        tags=("billing",),
        questions=(
            "怎么开增值税专用发票",
            "发票抬头开错了能重开吗",
            "开票需要提供哪些信息",
            "付款后多久能收到发票",
            "能开6%的专票吗",
            "发票上的税号不对",
        ),
        body="""\
在中国大陆签约的客户，由我们的境内公司开具增值税电子发票（数电票），服务类别为"信息技术服务"，税率 6%。

## 开票信息
请在 **Settings → Billing → Billing profile** 的"中国开票信息"中填写，或在工单中提供：
| 项目 | 普通发票 | 专用发票 |
|---|---|---|
| 公司名称（与营业执照一致） | 必填 | 必填 |
| 纳税人识别号（统一社会信用代码） | 必填 | 必填 |
| 注册地址、电话 | — | 必填 |
| 开户银行及账号 | — | 必填 |
| 接收发票的邮箱 | 必填 | 必填 |

## 什么时候开
- 对公转账：款项到账后 5 个工作日内开具，发送到接收邮箱；
- 年付合同也可以按合同约定先开票后付款。

## 开错了怎么办
已开具的发票不能修改。请在工单中说明错误的内容并提供正确信息，我们先开具红字发票冲销原发票，再重新开具正确的发票，一般 3 个工作日内完成。如果贵公司已经用这张专票抵扣了进项税，需要由贵公司财务先在电子发票服务平台确认红字信息，请在工单中告诉我们。

## 常见问题
- **开票内容**：默认为"信息技术服务*软件服务费"，需要其他开票内容请在签约时说明；
- **美元发票**：境外签约的客户由境外公司开具英文 invoice，不能开具增值税发票。
""",
    ),
    ArticleSpec(
        key="saas-zh-access-speed",
        title="在中国大陆访问慢或打不开",
        language=ZH,
        category="Getting started",
        visibility=PUBLIC,
        tags=("onboarding",),
        questions=(
            "国内访问很慢",
            "打开网页一直转圈",
            "公司网络打不开你们的网站",
            "有没有中国的访问节点",
            "上传附件特别慢",
        ),
        body="""\
我们的服务部署在美国和欧盟的数据中心。从中国大陆访问时，跨境网络的质量会影响速度，尤其是在晚高峰。

## 先自查
1. 打开状态页 `status.example.com`，确认服务是否正常；
2. 换一个网络试试（例如手机热点）：如果手机热点正常，问题多半在公司网络；
3. 使用最新版的 Chrome、Edge 或 Firefox。

## 请 IT 部门放行以下域名
| 域名 | 用途 |
|---|---|
| `app.example.com` | 应用本身 |
| `api.example.com` | 接口 |
| `files.example.com` | 附件上传和下载 |
| `cdn.example.com` | 页面脚本和样式 |

公司防火墙或上网行为管理设备拦截其中任何一个，都会出现页面一直转圈、按钮没反应或附件传不上去的情况。

## 企业版加速入口
企业版客户可以使用中国大陆优化的加速入口 `cn.app.example.com`：页面和附件经过香港节点加速，数据仍然保存在原数据中心。请联系您的客户成功经理开通。

## 仍然很慢
请在工单中提供：所在城市、网络运营商、出现问题的时间段，以及在浏览器中打开 `app.example.com/netcheck` 后显示的检测结果截图。
""",
    ),
    ArticleSpec(
        key="saas-zh-export-garbled",
        title="导出的 CSV 用 Excel 打开中文乱码",
        language=ZH,
        category="Export",
        visibility=PUBLIC,
        tags=("export",),
        questions=(
            "导出的csv中文乱码",
            "用excel打开导出文件全是乱码",
            "导出文件是什么编码",
            "导出以后汉字变成问号",
            "导入csv中文乱码",
        ),
        body="""\
## 原因
我们导出的 CSV 文件使用 UTF-8 编码。中文版 Windows 上的 Excel 双击打开 CSV 时，默认按 GBK 编码读取，所以中文会显示成乱码。文件本身没有问题。

## 解决方法（任选一种）
1. **导出时勾选"为 Excel 添加 BOM"**：在导出设置中勾选这一项，以后导出的文件双击就能正常打开；
2. **在 Excel 中导入**：打开 Excel，选择"数据 → 从文本/CSV"，文件原始格式选择"65001: Unicode (UTF-8)"，再点击"加载"；
3. **导出为 XLSX**：XLSX 格式不存在编码问题（单个工作表最多 1,048,576 行）；
4. **用 WPS 表格打开**：WPS 能自动识别 UTF-8 编码。

## 导入时的乱码
导入 CSV 时也要使用 UTF-8 编码。在 Excel 中"另存为"时选择"CSV UTF-8（逗号分隔）"，不要选择普通的"CSV（逗号分隔）"，否则导入后的中文会变成乱码或问号。
""",
    ),
    ArticleSpec(
        key="saas-zh-api-limits",
        title="API 调用频率限制与 429 错误",
        language=ZH,
        category="Rate limits",
        visibility=PUBLIC,
        tags=("api",),
        questions=(
            "接口返回429",
            "API调用频率限制是多少",
            "同步数据的时候报请求过多",
            "被限流了怎么办",
            "接口返回头里没有X-RateLimit-Remaining",
        ),
        body="""\
频率限制按**工作区**计算（同一工作区的所有 API 密钥共用），以分钟为单位：
| 套餐 | 每分钟请求数 | /v2/search 每分钟 |
|---|---|---|
| Growth | 120 | 20 |
| Business | 600 | 60 |
| Enterprise | 1,200 | 120 |

批量接口（如 `POST /v2/contacts/batch`）每次最多 100 条记录，只算**一次**请求。

## 响应头
每个响应都带有 `X-RateLimit-Limit`（限额）、`X-RateLimit-Remaining`（当前窗口剩余次数）和 `X-RateLimit-Reset`（窗口重置的时间戳）。超过限制时返回 `429 Too Many Requests`，并带有 `Retry-After`（需要等待的秒数）。

看不到这些响应头时，请检查公司的代理或 API 网关是否过滤了自定义响应头。

## 收到 429 怎么办
1. 按 `Retry-After` 等待相应的秒数后重试；
2. 连续收到 429 时使用指数退避（1 秒、2 秒、4 秒……最长 60 秒）；
3. 把夜间同步任务分散开，不要在同一时刻集中发出所有请求；
4. 使用批量接口和 `updated_since` 参数，只同步有变化的数据。

需要一次性迁移大量数据时，请至少提前 3 个工作日在工单中申请临时提高限额，并说明数据量和时间。
""",
    ),
    ArticleSpec(
        key="saas-zh-sso",
        title="配置 SAML 单点登录（Azure AD 世纪互联版、ADFS 等）",
        language=ZH,
        category="SSO / SAML",
        visibility=CUSTOMERS,
        tags=("sso",),
        questions=(
            "怎么配置单点登录",
            "SSO登录报错签名无效",
            "世纪互联版Azure AD能用单点登录吗",
            "我们用ADFS能对接吗",
            "单点登录后又跳回登录页",
        ),
        body="""\
Business 和 Enterprise 套餐支持 SAML 2.0 单点登录，可以对接任何支持 SAML 2.0 的身份提供商（IdP），包括 Microsoft Entra ID（含世纪互联运营的中国版）、ADFS、Okta 和 Keycloak。

## 配置步骤
1. 在 **Settings → Security → Single sign-on** 中点击 **Configure SAML**，复制 ACS URL 和 Entity ID；
2. 在 IdP 中新建 SAML 应用，填入上面两个值，NameID 格式选择 EmailAddress，断言使用 SHA-256 签名；
3. 把 IdP 的元数据 XML 上传到我们的单点登录设置页面；
4. 点击 **Test sign-in** 测试，成功后再对全员启用。

## 世纪互联版 Azure AD
中国版的登录地址与全球版不同：元数据和登录 URL 使用 `login.partner.microsoftonline.cn`，而不是 `login.microsoftonline.com`。请直接上传从中国版门户下载的元数据文件，不要手动拼写地址。

## 常见报错
| 现象 | 原因 | 处理 |
|---|---|---|
| 提示 Invalid SAML response（签名无效） | IdP 更换了签名证书 | 重新上传 IdP 元数据 |
| 登录后又跳回登录页 | 浏览器禁止了 Cookie，或在企业门户的内嵌页面中打开 | 在独立的浏览器标签页中打开 |
| 提示账号不存在 | 用户没有被邀请，也没有开启自动创建账号 | 邀请用户，或开启"首次登录时创建账号" |

ADFS 的服务器时间与标准时间相差不能超过 3 分钟，否则断言会被判定为过期，请开启时间同步。
""",
    ),
    ArticleSpec(
        key="saas-zh-data-residency",
        title="中国客户询问数据存储位置与个人信息保护法：答复口径（内部）",
        language=ZH,
        category="Data",
        visibility=INTERNAL,
        tags=("churn-risk",),
        questions=(
            "客户问数据存在哪里",
            "个人信息保护法合规怎么回答",
            "客户要求数据存放在国内",
            "数据出境需要签什么",
        ),
        body="""\
> 内部资料。涉及合同条款和法律判断的问题，不要自行承诺，按本文最后一节转交。

## 可以直接回答的事实
- 数据存储在创建工作区时选择的区域（美国或欧盟），目前**没有中国大陆的数据中心**，也没有近期上线的计划；
- 企业版的中国大陆加速入口只加速网络访问，数据仍然存储在原区域；
- 我们可以提供数据处理协议（DPA）、安全白皮书和第三方审计报告（需签署保密协议）。

## 不要这样说
- "我们符合个保法，您不用做任何事"：数据出境时，客户是个人信息处理者，是否需要做个人信息保护影响评估、签订个人信息出境标准合同或申报安全评估，取决于客户自己处理的数据类型和数量，要由客户的法务判断；
- "很快会有国内节点"；
- 对合同条款作出任何修改承诺。

## 转交
- 客户需要标准合同、补充条款或填写合规问卷：在工单中 @ 客户成功经理，由其联系法务；
- 客户因为数据存储位置考虑不续约：打 churn-risk 标签，按挽留流程处理；
- 监管部门或客户法务的正式函件：立即转交法务，不在工单中答复具体内容。
""",
    ),
)
