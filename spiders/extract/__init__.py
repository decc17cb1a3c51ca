"""Page helpers for the reports spider: HTML in, report candidates out.

`blocks` splits a page into text blocks with their links, `names` finds the
store a block is about, `sentences` reads offers and waits from its text (via
`tracker.text`), `tables` reads report tables, `links` finds the next page,
and `page.extract_reports` puts them together. Nothing here touches Scrapy or
the store.
"""
