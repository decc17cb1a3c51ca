"""darkpool's site: `streamlit run app.py` (or `darkpool site`).

Reads only the published snapshot named by $DARKPOOL_SNAPSHOT; the pages
live in tracker/site/pages/.
"""

from tracker.site.navigation import build_navigation

build_navigation().run()
