"""The performance benchmark behind `make bench` (run `python -m bench.pages`).

Nothing here is imported by the running portal: the bench builds its own database, serves the
site with gunicorn through ``bench.urls`` and drives it with wrk.
"""
