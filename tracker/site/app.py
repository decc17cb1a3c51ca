"""The site inside the installed package (used when no repository app.py is at hand)."""

from tracker.site.navigation import build_navigation

build_navigation().run()
