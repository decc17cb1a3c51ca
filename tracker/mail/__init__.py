"""Mail: bytes -> ParsedMail -> MessageRecord.

`files` reads .eml, mbox and Maildir; `imap/` syncs a mailbox; `parse` (with
`html`, `charsets`, `dates`, `limits`) decodes MIME; `retailer`, `classify` and
`offer` understand the message through `tracker.text`; `pipeline` ties them
together per message and `importing` stores batches.
"""
