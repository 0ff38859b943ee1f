"""The shop's rules, free of Flask, SQL and the broker; every time rule takes `now`.
Refusals are shared.failures kinds (no HTTP status); events are named (events.py).

featured       slots, the 72-hour lock, the tier's slot count, delisting removal
cards          the shop's projection of product cards, safe against late events
profile        editable nickname, avatar, banner, bio
accounts       usernames, passwords, roles
throttle       refusing repeated wrong passwords for a while, never for good
privacy        who sees purchases and stats; sensitive products only to the buyer
friendship     requests, acceptance, removal
visits         visitor identity, visit counting, recent visitors
orders         orders learned from order events; what a member bought
analytics      the owner's figures, per shop and per product
notifications  what an owner is told
attribution    the shop's answer in the order saga: which products the shop features
events         what the shop says happened: one named event per type it emits
"""
