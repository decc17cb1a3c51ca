"""The bundled demo: a deterministic generator of fictional shops' mail, carts and report pages.

`tracker.demo.generate` writes the corpus (also used by bench/ for large
corpora); `tracker.demo.pipeline` imports, crawls and publishes it for
`darkpool demo`; `tracker.demo.snapshot` writes a synthetic snapshot for site tests.
"""
