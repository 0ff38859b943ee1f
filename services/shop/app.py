"""The shop service: `build` wires it, `create_app` serves it, and

    python -m services.shop.app worker                  its event worker (cluster mode)
    python -m services.shop.app create-admin USERNAME   an admin account; the password from
                                                        GWH_ADMIN_PASSWORD, else asked twice
                                                        (on a terminal; without one the
                                                        variable is required)
"""
from __future__ import annotations

import getpass
import os
import sys
from datetime import timedelta

from shared import config as gwh_config
from shared.bus import Bus
from shared.clients import limiter_for, trust_proxies
from shared.clock import Clock, SystemClock
from shared.failures import Refusal
from shared.owners import Owners
from shared.service import PeriodicJob, ServiceParts, build_relational_service, worker_main, wsgi_app

from services.shop import store
from services.shop.api import blueprints
from services.shop.api.limits import limit_visits
from services.shop.context import ShopContext
from services.shop.handlers import subscriptions
from services.shop.passwords import Passwords
from services.shop.usecases import accounts, slots


def build(config, *, bus: Bus | None = None, clock: Clock | None = None,
          passwords: Passwords | None = None) -> ServiceParts:
    clock = clock or SystemClock()
    db_ref: dict = {}

    def periodic(ctx: ShopContext):
        return [PeriodicJob("forget-login-throttles", timedelta(hours=1).total_seconds(),
                            lambda: accounts.forget_throttles(ctx.db, ctx.clock.now())),
                # A product over a reduced slot count leaves within a minute of its lock's end.
                PeriodicJob("slot-departures", 60.0, lambda: slots.release_due(ctx.db, ctx.clock.now()))]

    parts = build_relational_service(
        ShopContext, name="shop", config=config, bus=bus or Bus.from_config(config), clock=clock,
        metadata=store.metadata, subscriptions=subscriptions, blueprints=blueprints, periodic=periodic,
        passwords=passwords or Passwords(), owners=Owners.from_config(config),
        description="Members, accounts, friends, privacy, personal shops, featured slots, visits, analytics.",
        token_lookup=lambda member_id: accounts.standing(db_ref["db"], member_id))
    db_ref["db"] = parts.db  # the shop is the owner: it answers from its own accounts
    parts.context.token_guard.remember = False
    # Visits and sign-ins are limited per client address: the gateway's X-Forwarded-For says
    # which, as far as GWH_TRUSTED_PROXIES trusts it.
    trust_proxies(parts.app, config.trusted_proxies)
    limit_visits(parts.app, limiter_for(parts.app, config), config)
    if config.admin_username and config.admin_password:
        try:
            accounts.ensure_first_admin(parts.db, parts.context.passwords, config.admin_username, config.admin_password)
        except Refusal as problem:
            # A bad GWH_ADMIN_* is a deployment mistake: refuse to start, saying which.
            raise RuntimeError(f"GWH_ADMIN_USERNAME/GWH_ADMIN_PASSWORD: {problem.detail} {problem.errors or ''}")
    return parts


def create_app(config=None):
    """`gunicorn 'services.shop.app:create_app()'`"""
    return wsgi_app(build, config)


def create_admin(config, username: str, password: str | None = None) -> str:
    """The CLI's work: returns what to tell the operator."""
    password = password or os.environ.get("GWH_ADMIN_PASSWORD") or _ask_password()
    parts = build(config.with_overrides(admin_username=None, admin_password=None))
    try:
        # Its shop.member.registered event stays in the outbox for the running service's
        # relay: published from this short-lived process it could be lost (in-memory bus).
        account = accounts.ensure_first_admin(parts.db, parts.context.passwords, username, password)
    except Refusal as problem:
        return f"refused: {problem.detail} {problem.errors or ''}"
    finally:
        parts.close()
    return f"admin {username} created ({account.member_id})" if account else f"{username} exists; left unchanged"


NO_PASSWORD = ("create-admin needs the new admin's password: set GWH_ADMIN_PASSWORD, or run it on a "
               "terminal to be asked for it")


def _ask_password() -> str:
    # Without a terminal getpass reads stdin, and an empty stdin is an EOFError traceback.
    if not sys.stdin or not sys.stdin.isatty():
        sys.exit(NO_PASSWORD)
    try:
        first = getpass.getpass("password for the new admin: ")
    except EOFError:
        sys.exit(NO_PASSWORD)
    if first != getpass.getpass("again: "):
        sys.exit("the passwords differ")
    return first


def main(argv: list[str]) -> None:
    if argv[:1] == ["worker"]:
        worker_main("shop", build, argv)
    elif argv[:1] == ["create-admin"] and len(argv) == 2:
        outcome = create_admin(gwh_config.resolve_jwt_secret(gwh_config.load()), argv[1])
        if outcome.startswith("refused"):
            sys.exit(outcome)  # exit status 1, the reason on stderr
        print(outcome)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
