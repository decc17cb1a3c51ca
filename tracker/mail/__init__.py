"""Mail: sources (eml/mbox/Maildir), IMAP, MIME parsing, retailer, classification."""
