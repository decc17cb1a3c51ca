"""Page helpers for the reports spider: HTML in, report candidates out.

`blocks` splits a page into text blocks with their links (furniture dropped,
quoted posts kept only for the store they name), `names` finds the store a
block is about (links unwrapped from affiliate redirects by `affiliates`),
`sentences` reads offers, waits and outcomes from its text (via
`tracker.text`), `tables` reads report tables, `links` finds the next page,
and `page.extract_reports` puts them together. Nothing here touches Scrapy or
the store.
"""
