"""The shop's use cases: each opens the unit of work (or, behind an event handler, runs in
the one the inbox opened), loads through the store, asks the domain, saves, and tracks what
raised events, so the unit of work writes them to the outbox with the state.

Views (services/shop/api), handlers (services/shop/handlers.py) and periodic jobs
(services/shop/app.py) all come through here, one use case per request or event.

accounts   register, merchants, sign in, log out, passwords, the first admin, standing
members    profile, privacy, notifications, purchases others may see
friends    requests, answers, friendships
shops      shop pages, featured slots, candidates, visits, analytics
slots      slots that follow the tier (ranking.influence.changed), departures when due
answers    what other services' events ask of the shop: cards, delistings, attribution, orders
"""
