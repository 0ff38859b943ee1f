"""The Lua scripts that change the ranking's Redis state, each one atomic.

Why Lua: an event's id and its effect must land together (a redelivered event finds its id
and changes nothing), and a standing must be compared and replaced in one step when several
workers compete. Every key one script touches carries the same hash tag, so the scripts run
unchanged on Redis Cluster: `{m:<member>}` for a member's records, `{board}` for the boards.

The rules themselves live in domain.py; these scripts keep its bookkeeping:
- an order counts on its paid day while paid and not refunded (domain.OrderFacts);
- sales and live-order counters never go below zero, and a counter at zero is deleted, so
  the same facts always leave the same hash fields behind;
- whatever has left the window is trimmed on every run.
Amounts go through string.format('%d') because Lua numbers are doubles: tostring() would
write 1e+15 where Redis expects an integer.
"""
from __future__ import annotations

# KEYS: 1 member hash, 2 seen zset, 3 sales hash (day -> cents), 4 buyers hash
#       ("day|buyer" -> live orders), 5 active-days set, 6 friends hash, 7 the order's hash
#       (or an unused key of the same tag), 8 visitors zset (visitor -> last day, as a number).
# ARGV: 1 event id ('' to only refresh), 2 today as a number (the seen score),
#       3 the effect (JSON), 4 the window (JSON: days, oldest, seen_from, stamp).
# Returns {applied, version, sales_cents, unique_visitors, distinct_buyers, active_days,
#          oldest day with data or '', show_in_leaderboards '1'/'0'}.
APPLY = r"""
local member, seen, sales, buyers, active, friends, order = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local visitors = KEYS[8]
local event_id = ARGV[1]
local effect = cjson.decode(ARGV[3])
local window = cjson.decode(ARGV[4])
local oldest = window.oldest

local function int(n) return string.format('%d', n) end

local function newer(current, stamp) return (not current) or stamp > current end

local function add_to(hash, field, delta)
  local left = redis.call('HINCRBY', hash, field, int(delta))
  if left == 0 then redis.call('HDEL', hash, field) end
end

local function record_order(o)
  local before = redis.call('HMGET', order, 'paid', 'refunded')
  local was_live = before[1] == '1' and before[2] ~= '1'
  if o.kind == 'paid' then
    -- The first payment fixes the day and the amount; a redelivery cannot move them.
    if before[1] ~= '1' then
      redis.call('HSET', order, 'paid', '1', 'day', o.day, 'total', int(o.total), 'buyer', o.buyer)
    end
  else
    redis.call('HSET', order, 'refunded', '1', 'buyer', o.buyer)
  end
  local after = redis.call('HMGET', order, 'paid', 'refunded', 'day', 'total', 'buyer')
  local live = after[1] == '1' and after[2] ~= '1'
  if live ~= was_live and after[3] >= oldest then
    local sign = live and 1 or -1
    add_to(sales, after[3], sign * tonumber(after[4]))
    add_to(buyers, after[3] .. '|' .. after[5], sign)
  end
  redis.call('EXPIRE', order, o.ttl)
end

local function record_visit(v)
  -- Exact: one entry per visitor, scored by the last day they came. A second visit the
  -- same day (or an older one arriving late) changes nothing.
  local last = redis.call('ZSCORE', visitors, v.visitor)
  if (not last) or tonumber(last) < v.day then redis.call('ZADD', visitors, v.day, v.visitor) end
  -- The key outlives its newest day by the window (and the grace), never less.
  if redis.call('TTL', visitors) < v.ttl then redis.call('EXPIRE', visitors, v.ttl) end
end

local function record_friend(f)
  local current = redis.call('HGET', friends, f.id)
  local current_stamp = current and string.match(current, '^(.*)|') or nil
  if newer(current_stamp, window.stamp) then
    redis.call('HSET', friends, f.id, window.stamp .. '|' .. (f.friends and '1' or '0'))
  end
end

local applied = 0
if event_id ~= '' and redis.call('ZADD', seen, 'NX', ARGV[2], event_id) == 1 then
  applied = 1
  -- Every applied event moves the version, whatever it changed: the version then counts
  -- events, which is the same whatever order they came in.
  redis.call('HINCRBY', member, 'version', 1)
  if effect.order then record_order(effect.order) end
  if effect.visit then record_visit(effect.visit) end
  if effect.active_day then redis.call('SADD', active, effect.active_day) end
  if effect.nickname and newer(redis.call('HGET', member, 'nickname_stamp'), window.stamp) then
    redis.call('HSET', member, 'nickname', effect.nickname, 'nickname_stamp', window.stamp)
  end
  if effect.privacy and newer(redis.call('HGET', member, 'privacy_stamp'), window.stamp) then
    redis.call('HSET', member, 'stats_visible_to', effect.privacy.stats_visible_to,
               'show_in_leaderboards', effect.privacy.show_in_leaderboards and '1' or '0',
               'privacy_stamp', window.stamp)
  end
  if effect.friend then record_friend(effect.friend) end
end

-- Trim what has left the window, so the state depends on the facts and `now` alone.
for _, day in ipairs(redis.call('HKEYS', sales)) do
  if day < oldest then redis.call('HDEL', sales, day) end
end
for _, field in ipairs(redis.call('HKEYS', buyers)) do
  if string.sub(field, 1, 8) < oldest then redis.call('HDEL', buyers, field) end
end
for _, day in ipairs(redis.call('SMEMBERS', active)) do
  if day < oldest then redis.call('SREM', active, day) end
end
redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. window.seen_from)
redis.call('ZREMRANGEBYSCORE', visitors, '-inf', '(' .. oldest)

-- The window's totals.
local first = nil
local function saw(day) if first == nil or day < first then first = day end end

local sales_cents = 0
for _, day in ipairs(window.days) do
  local cents = redis.call('HGET', sales, day)
  if cents then sales_cents = sales_cents + tonumber(cents); saw(day) end
end

local live_buyers, distinct_buyers = {}, 0
local pairs_ = redis.call('HGETALL', buyers)
for i = 1, #pairs_, 2 do
  local day, buyer = string.sub(pairs_[i], 1, 8), string.sub(pairs_[i], 10)
  if tonumber(pairs_[i + 1]) > 0 then
    saw(day)
    if not live_buyers[buyer] then live_buyers[buyer] = true; distinct_buyers = distinct_buyers + 1 end
  end
end

local unique_visitors = redis.call('ZCARD', visitors)
local earliest = redis.call('ZRANGE', visitors, 0, 0, 'WITHSCORES')
if earliest[2] then saw(string.format('%d', tonumber(earliest[2]))) end

for _, day in ipairs(redis.call('SMEMBERS', active)) do saw(day) end
local active_days = redis.call('SCARD', active)

local facts = redis.call('HMGET', member, 'version', 'show_in_leaderboards')
return {applied, tonumber(facts[1] or '0'), sales_cents, unique_visitors, distinct_buyers, active_days,
        first or '', facts[2] or '1'}
"""

# KEYS: 1 member hash, 2 the member's announcement list.
# ARGV: 1 version the totals were read at, 2 score, 3 tier, 4 slots, 5 sales_cents,
#       6 unique_visitors, 7 distinct_buyers, 8 active_days, 9 announcement id,
#       10 mode ('auto' announces a change, 'quiet' never, 'force' always), 11 member id.
# Returns {stored 1/0, announcements waiting}.
SETTLE = r"""
local member, outbox = KEYS[1], KEYS[2]
local version = tonumber(ARGV[1])
local standing = tonumber(redis.call('HGET', member, 'standing_version') or '-1')
if version < standing then
  -- A worker that read older totals lost the race to one that read newer: keep the newer.
  return {0, redis.call('LLEN', outbox)}
end
local before = redis.call('HMGET', member, 'score', 'tier')
redis.call('HSET', member, 'standing_version', ARGV[1], 'score', ARGV[2], 'tier', ARGV[3], 'slots', ARGV[4],
           'sales_cents', ARGV[5], 'unique_visitors', ARGV[6], 'distinct_buyers', ARGV[7], 'active_days', ARGV[8])
-- domain.influence_changed: a first standing is news only with a score; later, any move.
local changed
if before[1] then changed = before[1] ~= ARGV[2] or before[2] ~= ARGV[3] else changed = tonumber(ARGV[2]) > 0 end
if ARGV[10] == 'force' or (ARGV[10] == 'auto' and changed) then
  -- Stamped by this Redis while the standing is replaced, so one member's announcements
  -- are ordered as their standings were, whichever worker sends them and whatever its clock.
  local now = redis.call('TIME')
  redis.call('RPUSH', outbox, cjson.encode({
    id = ARGV[9], member_id = ARGV[11], score = tonumber(ARGV[2]), tier = tonumber(ARGV[3]),
    slots = tonumber(ARGV[4]), version = version, at = now[1] .. string.format('%06d', tonumber(now[2]))}))
end
return {1, redis.call('LLEN', outbox)}
"""

# KEYS: 1 the public board (zset of -score, so equal scores list by member id), 2 the board's
#       versions hash, 3 the roll-over schedule (zset of epoch seconds).
# ARGV: 1 member id, 2 version, 3 score, 4 listed '1'/'0', 5 next roll-over epoch or ''.
PLACE = r"""
local board, versions, rolls = KEYS[1], KEYS[2], KEYS[3]
local member, version = ARGV[1], tonumber(ARGV[2])
if version < tonumber(redis.call('HGET', versions, member) or '-1') then return 0 end
redis.call('HSET', versions, member, ARGV[2])
if ARGV[4] == '1' then redis.call('ZADD', board, -tonumber(ARGV[3]), member) else redis.call('ZREM', board, member) end
if ARGV[5] ~= '' then redis.call('ZADD', rolls, ARGV[5], member) else redis.call('ZREM', rolls, member) end
return 1
"""

# KEYS: 1 a member's announcement list. ARGV: 1 the id of the announcement just published.
# Pops it only if it is still first, so two workers draining one list never drop one unsent.
POP_ANNOUNCEMENT = r"""
local head = redis.call('LINDEX', KEYS[1], 0)
if head and cjson.decode(head).id == ARGV[1] then redis.call('LPOP', KEYS[1]) end
return redis.call('LLEN', KEYS[1])
"""
