"""The Streamlit site: navigation, pages, cached snapshot reads and charts.

`app.py` at the repository root (and `tracker/site/app.py` inside the
package) only builds the navigation from `build_navigation`.
"""
