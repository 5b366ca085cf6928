"""Issue-10 soak scenario: the issue-6 shoppers (browse, filter, read, view, cart, check out)
who also log in and out of their accounts; run by ``bench/soak.py`` (200 users, 10 minutes).

Each simulated user owns one of the ``BENCH_ACCOUNTS`` accounts that ``bench/load.py
--accounts`` made (``soak-<i>@example.com``). Log-in and log-out go through the HTML forms with
the page's CSRF token, as a browser does; a log-in that does not end on the account page, or a
log-out that leaves the visitor logged in, is a failure.
"""

from __future__ import annotations

import itertools
import os
import random

import locustfile as issue6  # the shoppers of bench/load.py (module import: one user class here)
from locust import task

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS") or 0)
PASSWORD = os.environ.get("BENCH_ACCOUNT_PASSWORD", "")
_numbers = itertools.count()


class AccountShopper(issue6.Shopper):
    def on_start(self):
        super().on_start()
        self.email = f"soak-{next(_numbers) % ACCOUNTS}@example.com" if ACCOUNTS else None
        self.logged_in = False

    @task(2)
    def log_in_or_out(self):
        if not self.email:
            return
        if self.logged_in:
            self._log_out()
        else:
            self._log_in()

    def _log_in(self):
        page = self.client.get("/account/login", name="/account/login")
        token = issue6.CSRF.search(page.text)
        with self.client.post("/account/login", name="/account/login (submit)", catch_response=True,
                              data={"csrf_token": token.group(1) if token else "", "email": self.email,
                                    "password": PASSWORD}) as r:
            if r.status_code != 200 or not r.url.rstrip("/").endswith("/account"):
                r.failure(f"log-in ended on {r.status_code} {r.url}")
            else:
                self.logged_in = True

    def _log_out(self):
        page = self.client.get("/account", name="/account")
        token = issue6.CSRF.search(page.text)
        with self.client.post("/account/logout", name="/account/logout", catch_response=True,
                              data={"csrf_token": token.group(1) if token else ""}) as r:
            if r.status_code != 200:
                r.failure(f"log-out answered {r.status_code}")
                return
            self.logged_in = False
        with self.client.get("/account", name="/account (after log-out)", catch_response=True,
                             allow_redirects=False) as r:
            if r.status_code == 200:
                r.failure("still logged in after log-out")
            else:
                r.success()

    @task(1)
    def linger(self):
        """A pause on a page: 200 users are not all clicking at once."""
        self.client.get(random.choice(["/", "/articles", "/products"]), name="/ (linger)")
