"""The shop's HTTP API (CONTRACT.md "Accounts", "Members and shops"), one blueprint per subject."""
from services.shop.api import auth, friends, internal, members, shops

blueprints = [auth.blp, members.blp, friends.blp, shops.blp, internal.blp]
