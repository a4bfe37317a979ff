"""The newsletter: subscribers, their mails, and the delivery of the weekly digest over SMTP.

    addresses.py   normalize_address(): what counts as one address (pure)
    tokens.py      confirmation tokens (random, stored hashed) and unsubscribe tokens
                   (HMAC of the subscriber id with the mail secret): pure
    messages.py    the MIME messages: the digest copy with List-Unsubscribe (RFC 8058), the
                   confirmation mail (pure, templates/email/)
    smtp.py        SmtpConfig and one SMTP connection; SMTP replies sorted into transient
                   (4xx, connection trouble) and permanent (5xx) failures
    newsletter.py  Newsletter: subscribe / confirm / unsubscribe / expire unconfirmed
    delivery.py    deliver(): one digest to every confirmed subscriber, idempotent and
                   resumable through the send log; send_confirmation()

Errors:

AggregatorError
 └── MailError             the SMTP server cannot be used (unreachable, login, sender refused)
      ├── TransientMailError   4xx or a dropped connection: worth retrying later
      └── PermanentMailError   5xx for a recipient: the address bounces
 └── InvalidAddressError        a sign-up address that is not one (German message for the form)
"""
