"""The shop WITHOUT recommendation blocks, for ``bench/pages.py`` only (never deployed).

The shop has no switch to turn the blocks off, and production code is not changed for a
benchmark. Templates fetch their blocks through the Jinja global ``recommendation_slots``; this
app is the real ``create_app()`` with that one global answering "no slots", so the product page
renders the same template, runs the same queries and logs the same view event, minus the
"Similar products" and "Frequently bought together" blocks (and their impression events).
"""

from shop import create_app

app = create_app()
app.jinja_env.globals["recommendation_slots"] = lambda *args, **kwargs: {}
