"""The shop service's tables (SQLAlchemy Core). A member's id is also their shop's id.

Besides what the shop owns (accounts, profiles, privacy, friendships, shops, featured
products, visits, notifications) it keeps projections fed by events: product cards and
brands from the catalog, orders from the order service. It never reads their databases.
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        text)

metadata = MetaData()

ID = 32        # ids this service makes (uuid hex)
FOREIGN_ID = 64  # ids other services make, as the event schemas bound them

accounts = Table(
    "accounts", metadata,
    Column("member_id", String(ID), primary_key=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("roles", String(64), nullable=False),  # comma separated: "member,merchant"
    Column("brand_id", String(FOREIGN_ID)),       # a merchant's one brand
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Wrong passwords per (username, client address) and per client address, known usernames
# or not (an unknown one must look the same). The column keeps its first name; it holds a
# throttle key of domain.throttle.throttle_keys ("pair:<hash>" or "addr:<address>").
login_throttles = Table(
    "login_throttles", metadata,
    Column("username", String(64), primary_key=True),
    Column("failures", Text, nullable=False),  # JSON list of ISO times in the current window
    Column("strikes", Integer, nullable=False),
    Column("blocked_until", DateTime(timezone=True)),
    Column("last_failure_at", DateTime(timezone=True)),
    Index("ix_login_throttles_last_failure", "last_failure_at"),
)

members = Table(
    "members", metadata,
    Column("member_id", String(ID), ForeignKey("accounts.member_id"), primary_key=True),
    Column("nickname", String(40), nullable=False),
    Column("avatar_url", String(500)),
    Column("banner_url", String(500)),
    Column("bio", String(280)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

privacy_settings = Table(
    "privacy_settings", metadata,
    Column("member_id", String(ID), ForeignKey("members.member_id"), primary_key=True),
    Column("purchases_visible_to", String(16), nullable=False),
    Column("stats_visible_to", String(16), nullable=False),
    Column("show_in_leaderboards", Boolean, nullable=False),
    Column("show_me_as_visitor", Boolean, nullable=False),
)

shops = Table(
    "shops", metadata,
    Column("member_id", String(ID), ForeignKey("members.member_id"), primary_key=True),
    # The ranking service's verdict, from ranking.influence.changed.
    Column("score", Integer, nullable=False),
    Column("tier", Integer, nullable=False),
    Column("slots", Integer, nullable=False),
    Column("influence_as_of", DateTime(timezone=True)),
)

featured = Table(
    "featured", metadata,
    Column("member_id", String(ID), ForeignKey("shops.member_id"), primary_key=True),
    Column("product_id", String(FOREIGN_ID), primary_key=True),
    Column("featured_at", DateTime(timezone=True), nullable=False),
    # A delisting finds the shops featuring a product through this index: its cost follows
    # those shops, not the number of shops.
    Index("ix_featured_product", "product_id"),
)

# Products over a shop's slot count after a tier drop, and when each may leave (its lock's
# end). A schedule only: at that time the shop is looked at again (domain.featured).
slot_departures = Table(
    "slot_departures", metadata,
    Column("member_id", String(ID), ForeignKey("shops.member_id"), primary_key=True),
    Column("product_id", String(FOREIGN_ID), primary_key=True),
    Column("leaves_at", DateTime(timezone=True), nullable=False),
    Index("ix_slot_departures_leaves_at", "leaves_at"),
)

product_cards = Table(
    "product_cards", metadata,
    Column("product_id", String(FOREIGN_ID), primary_key=True),
    Column("brand_id", String(FOREIGN_ID)),
    Column("name", String(200), nullable=False),
    Column("category", String(40)),
    Column("image_url", String(500)),
    Column("list_price_cents", Integer, nullable=False),
    Column("exclusive_price_cents", Integer, nullable=False),
    Column("commission_rate_bp", Integer, nullable=False),
    Column("sensitive", Boolean, nullable=False),
    Column("lowest_price_30d_cents", Integer),
    Column("status", String(16), nullable=False),
    Column("card_revision", Integer),
    Column("status_revision", Integer),
    Index("ix_product_cards_status_category", "status", "category"),
)

brands = Table(
    "brands", metadata,
    Column("brand_id", String(FOREIGN_ID), primary_key=True),
    Column("name", String(200), nullable=False),
)

friend_requests = Table(
    "friend_requests", metadata,
    Column("id", String(ID), primary_key=True),
    Column("requester_id", String(ID), ForeignKey("members.member_id"), nullable=False),
    Column("addressee_id", String(ID), ForeignKey("members.member_id"), nullable=False),
    # The pair, smaller id first: at most one open request between two members, whichever
    # asked, even when both ask at the same moment.
    Column("member_low", String(ID), nullable=False),
    Column("member_high", String(ID), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Index("ix_friend_requests_addressee", "addressee_id", "status"),
    Index("uq_friend_requests_open_pair", "member_low", "member_high", unique=True,
          sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
)

friendships = Table(
    "friendships", metadata,
    Column("member_low", String(ID), ForeignKey("members.member_id"), primary_key=True),
    Column("member_high", String(ID), ForeignKey("members.member_id"), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_friendships_high", "member_high"),
)

visits = Table(
    "visits", metadata,
    Column("id", String(ID), primary_key=True),
    Column("shop_id", String(ID), ForeignKey("shops.member_id"), nullable=False),
    Column("visitor", String(128), nullable=False),  # member id, or "anon:<key>"
    Column("member_id", String(ID)),
    Column("product_id", String(FOREIGN_ID)),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_visits_shop_visitor", "shop_id", "visitor"),
    Index("ix_visits_shop_product", "shop_id", "product_id"),
    # The analytics read a shop's visits of the last 30 days.
    Index("ix_visits_shop_at", "shop_id", "at"),
)

# Orders as the order service announced them (order.paid / order.refunded).
shop_orders = Table(
    "shop_orders", metadata,
    Column("order_id", String(FOREIGN_ID), primary_key=True),
    Column("buyer_id", String(FOREIGN_ID), nullable=False),
    Column("shop_id", String(FOREIGN_ID)),
    Column("paid", Boolean, nullable=False),
    Column("refunded", Boolean, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_shop_orders_shop", "shop_id"),
    Index("ix_shop_orders_buyer", "buyer_id"),
)

order_lines = Table(
    "order_lines", metadata,
    Column("order_id", String(FOREIGN_ID), ForeignKey("shop_orders.order_id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("product_id", String(FOREIGN_ID), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", Integer, nullable=False),
)

notifications = Table(
    "notifications", metadata,
    Column("id", String(ID), primary_key=True),
    Column("member_id", String(ID), ForeignKey("members.member_id"), nullable=False),
    Column("type", String(40), nullable=False),
    Column("product_id", String(FOREIGN_ID)),
    Column("message", String(600), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_notifications_member_at", "member_id", "at"),
)
