"""The privacy policy StudioOS shows at /privacy, written from the product owner's policy.

Not every promise here is a behaviour yet: docs/privacy.md says which are. A change that keeps or
breaks one updates that table, and a change to this text bumps LAST_UPDATED, in the same commit.
"""

from __future__ import annotations

LAST_UPDATED = "November 28, 2026"

SECTIONS: list[tuple[str, list[str]]] = [
    (
        "1. Who we are",
        [
            'StudioOS ("we", "us") is the back office of webcam studios: owners and managers run models, rooms, '
            "shifts, stream records, earnings and payouts in it; analysts read the studio's numbers; models see "
            "their own schedule and pay; our support staff answer requests. This policy says what we do with the "
            'personal data in StudioOS (the "Service").',
        ],
    ),
    (
        "2. What we collect",
        [
            "Account information: your name, email address, a one-way hash of your password (never the password "
            "itself), and your studio's name, time zone and currency.",
            "Billing information: handled by our payment processor, Stripe. We keep Stripe's customer and "
            "subscription references, never full card numbers.",
            "Studio data you enter: model profiles, stream records, schedules, earnings and member notes.",
            "Communications: chat messages in the Service and support requests.",
            "Security and usage data: for each sign-in and session, the time, IP address and browser; "
            "analytics about how the Service is used only if you agree to analytics cookies.",
        ],
    ),
    (
        "3. How we use it",
        [
            "To run the Service for your studio; to process payments; to send service, billing and security "
            "emails (for example an alert when your account is signed in to from a new browser); to answer "
            "support requests; to detect and stop fraud and abuse; and to meet legal obligations.",
        ],
    ),
    (
        "4. Who we share it with",
        [
            "We do not sell personal data. Processors that run parts of the Service for us (payments by Stripe, "
            "hosting, email delivery, and analytics only with your consent) process it under data protection "
            "agreements. We disclose data when the law requires it, and it may pass to a buyer of the business.",
        ],
    ),
    (
        "5. Security",
        [
            "Traffic is encrypted with TLS. Fields that identify a real person beyond a work name (legal names, "
            "birth dates, identity documents, member notes, two-factor secrets) are encrypted at rest with keys "
            "kept outside the database. Access is role-based: each studio sees only its own data, and within a "
            "studio each role sees only what it needs (analysts never see legal names, documents, member notes or "
            "chat). Sessions expire after 30 minutes without activity and after 12 hours at most, and you can end "
            "any of your sessions from My account. Security events are written to an audit log.",
        ],
    ),
    (
        "6. How long we keep it",
        [
            "We keep your data while your account is active. When you delete your account, access ends at once "
            "and we delete or anonymise your personal data within 30 days, except records the law requires us to "
            "keep (such as billing records), of which we keep only what the law needs.",
        ],
    ),
    (
        "7. Your rights",
        [
            "You may access and receive a copy of your personal data (as a ZIP of JSON and CSV files), correct it, "
            "ask us to delete it, object to or restrict its processing, and take it elsewhere in a structured "
            "format. Your name, email and password can be changed at any time under My account.",
        ],
    ),
    (
        "8. Cookies",
        [
            "One essential cookie keeps you signed in: it is HttpOnly (scripts cannot read it), sent only to "
            "StudioOS, and over HTTPS only. Analytics cookies and usage tracking stay off until you say yes, and "
            "you can change your choice at any time.",
        ],
    ),
    (
        "9. Changes to this policy",
        [
            "We keep every version of this policy. When a change is material, we ask you to read and acknowledge "
            "it the next time you sign in, and we update the date above.",
        ],
    ),
    (
        "10. Contact",
        [
            "Questions about this policy or your data: write to us through our Telegram channel, or open a "
            "support request in StudioOS.",
        ],
    ),
]
