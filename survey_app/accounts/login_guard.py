"""Sign-in rate limits that slow password guessing without locking a real user out.

Three counters, shared by every process through the rate_limit table (15-minute windows):
- per address and account: `security.login_attempts`; beyond it that address is refused for
  that account, while the real user, from their own address, can still sign in;
- per address, over all accounts: ten times more, against one machine trying many accounts;
- per account, over all addresses: ten times more; beyond it attempts are only slowed down,
  never refused, so a botnet cannot lock the account.
"""

from __future__ import annotations

import time
from datetime import datetime

from flask import current_app
from sqlite_utils import Database

from survey_app.storage import ratelimit

WINDOW_SECONDS = 15 * 60
SLOWDOWN_SECONDS = 2.0


def _keys(email: str, address: str) -> tuple[str, str, str]:
    account = email.strip().lower()
    return f"login-acct-ip:{account}:{address}", f"login-ip:{address}", f"login-acct:{account}"


def check(db: Database, email: str, address: str, now: datetime) -> bool:
    """Count one sign-in attempt; False means refuse it (429). May sleep to slow an attack down."""
    per_pair, per_address, per_account = _keys(email, address)
    limit = current_app.config["SETTINGS"]["security.login_attempts"]
    pair_ok = ratelimit.allow(db, per_pair, limit, WINDOW_SECONDS, now)
    address_ok = ratelimit.allow(db, per_address, limit * 10, WINDOW_SECONDS, now)
    if not ratelimit.allow(db, per_account, limit * 10, WINDOW_SECONDS, now):
        time.sleep(current_app.config.get("VISES_LOGIN_SLOWDOWN", SLOWDOWN_SECONDS))
    return pair_ok and address_ok


def succeeded(db: Database, email: str, address: str) -> None:
    """A successful sign-in clears that address's count for the account."""
    ratelimit.reset(db, _keys(email, address)[0])
