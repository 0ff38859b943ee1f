"""The Lua scripts that change the ranking's Redis state, each one atomic.

Why Lua: an event's id and its effect must land together (a redelivered event finds its id
and changes nothing), and a standing must be compared and replaced in one step when several
workers compete. Every key one script touches carries the same hash tag, so the scripts run
unchanged on Redis Cluster: `{m:<member>}` for a member's records, `{board}` for the boards.

The rules themselves live in the domain package (services/ranking/domain/); these scripts
keep its bookkeeping, and tests/unit/ranking/test_scripts_contract.py holds them to it:
- an order counts on its paid day while paid and not refunded (domain/facts.py OrderFacts);
- sales and live-order counters never go below zero, and a counter at zero is deleted, so
  the same facts always leave the same hash fields behind;
- whatever has left the window is trimmed on every run.
Amounts go through string.format('%d') because Lua numbers are doubles: tostring() would
write 1e+15 where Redis expects an integer.
"""
from __future__ import annotations

# Applies a batch of events to ONE member (every key under the member's hash tag, so the
# script runs unchanged on Redis Cluster): a consumer that took 64 messages off its queue
# groups them by member and sends one call per member, not one per event. A single event
# is a batch of one; a refresh (the window rolled over) is a batch of none.
# KEYS: 1 member hash, 2 seen zset, 3 sales hash (day -> cents), 4 buyers hash
#       ("day|buyer" -> live orders), 5 active-days set, 6 friends hash, 7 visitors zset
#       (visitor -> last day, as a number), 7+i the i-th event's order hash (or an unused key
#       of the same tag).
# ARGV: 1 today as a number (the seen score), 2 the window (JSON: today, oldest, seen_from),
#       3 the events (JSON list of {id, effect, stamp}), in the order they were taken.
# Returns {events applied, version, sales_cents, unique_visitors, distinct_buyers, active_days,
#          oldest day with data or '', show_in_leaderboards '1'/'0'}.
APPLY = r"""
local member, seen, sales, buyers, active, friends = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local visitors = KEYS[7]
local window = cjson.decode(ARGV[2])
local events = cjson.decode(ARGV[3])
local oldest = window.oldest

local function int(n) return string.format('%d', n) end

local function newer(current, stamp) return (not current) or stamp > current end

local function add_to(hash, field, delta)
  local left = redis.call('HINCRBY', hash, field, int(delta))
  if left == 0 then redis.call('HDEL', hash, field) end
end

local function record_order(order, o)
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

local function record_friend(f, stamp)
  local current = redis.call('HGET', friends, f.id)
  local current_stamp = current and string.match(current, '^(.*)|') or nil
  if newer(current_stamp, stamp) then
    redis.call('HSET', friends, f.id, stamp .. '|' .. (f.friends and '1' or '0'))
  end
end

local applied = 0
for i, e in ipairs(events) do
  if redis.call('ZADD', seen, 'NX', ARGV[1], e.id) == 1 then
    applied = applied + 1
    local effect, stamp = e.effect, e.stamp
    -- Every applied event moves the version, whatever it changed: the version then counts
    -- events, which is the same whatever order (and in whatever batches) they came.
    redis.call('HINCRBY', member, 'version', 1)
    if effect.order then record_order(KEYS[7 + i], effect.order) end
    if effect.visit then record_visit(effect.visit) end
    if effect.active_day then redis.call('SADD', active, effect.active_day) end
    if effect.nickname and newer(redis.call('HGET', member, 'nickname_stamp'), stamp) then
      redis.call('HSET', member, 'nickname', effect.nickname, 'nickname_stamp', stamp)
    end
    if effect.privacy and newer(redis.call('HGET', member, 'privacy_stamp'), stamp) then
      redis.call('HSET', member, 'stats_visible_to', effect.privacy.stats_visible_to,
                 'show_in_leaderboards', effect.privacy.show_in_leaderboards and '1' or '0',
                 'privacy_stamp', stamp)
    end
    if effect.friend then record_friend(effect.friend, stamp) end
  end
end

-- One read of each record: trim what has left the window (so the state depends on the
-- facts and `now` alone) and total what is left.
local first = nil
local function saw(day) if first == nil or day < first then first = day end end

local sales_cents = 0
local rows = redis.call('HGETALL', sales)
for i = 1, #rows, 2 do
  local day = rows[i]
  if day < oldest then redis.call('HDEL', sales, day)
  elseif day <= window.today then sales_cents = sales_cents + tonumber(rows[i + 1]); saw(day) end
end

local live_buyers, distinct_buyers = {}, 0
rows = redis.call('HGETALL', buyers)
for i = 1, #rows, 2 do
  local day, buyer = string.sub(rows[i], 1, 8), string.sub(rows[i], 10)
  if day < oldest then redis.call('HDEL', buyers, rows[i])
  elseif tonumber(rows[i + 1]) > 0 then
    saw(day)
    if not live_buyers[buyer] then live_buyers[buyer] = true; distinct_buyers = distinct_buyers + 1 end
  end
end

local active_days = 0
for _, day in ipairs(redis.call('SMEMBERS', active)) do
  if day < oldest then redis.call('SREM', active, day) else saw(day); active_days = active_days + 1 end
end

redis.call('ZREMRANGEBYSCORE', seen, '-inf', '(' .. window.seen_from)
redis.call('ZREMRANGEBYSCORE', visitors, '-inf', '(' .. oldest)
local unique_visitors = redis.call('ZCARD', visitors)
local earliest = redis.call('ZRANGE', visitors, 0, 0, 'WITHSCORES')
if earliest[2] then saw(string.format('%d', tonumber(earliest[2]))) end

local facts = redis.call('HMGET', member, 'version', 'show_in_leaderboards')
return {applied, tonumber(facts[1] or '0'), sales_cents, unique_visitors, distinct_buyers, active_days,
        first or '', facts[2] or '1'}
"""

# KEYS: 1 member hash, 2 the member's announcement list.
# ARGV: 1 version the totals were read at, 2 score, 3 tier, 4 slots, 5 sales_cents,
#       6 unique_visitors, 7 distinct_buyers, 8 active_days, 9 announcement id,
#       10 mode ('auto' announces a change, 'quiet' never, 'force' always), 11 member id.
# Returns {stored 1/0, the announcements waiting (this one among them), oldest first}: the
# caller publishes them without reading the list again.
SETTLE = r"""
local member, outbox = KEYS[1], KEYS[2]
local version = tonumber(ARGV[1])
local standing = tonumber(redis.call('HGET', member, 'standing_version') or '-1')
if version < standing then
  -- A worker that read older totals lost the race to one that read newer: keep the newer.
  return {0, redis.call('LRANGE', outbox, 0, -1)}
end
local before = redis.call('HMGET', member, 'score', 'tier')
redis.call('HSET', member, 'standing_version', ARGV[1], 'score', ARGV[2], 'tier', ARGV[3], 'slots', ARGV[4],
           'sales_cents', ARGV[5], 'unique_visitors', ARGV[6], 'distinct_buyers', ARGV[7], 'active_days', ARGV[8])
-- domain/influence.py influence_changed: a first standing is news only with a score; later, any move.
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
return {1, redis.call('LRANGE', outbox, 0, -1)}
"""

# Places a batch of standings (any members: the board keys share the `{board}` tag).
# KEYS: 1 the public board (zset of -score, so equal scores list by member id), 2 the board's
#       versions hash, 3 the roll-over schedule (zset of epoch seconds).
# ARGV: 1 the placings (JSON list of [member id, version, score, listed '1'/'0',
#       next roll-over epoch or '']), 2 members to flag as having announcements to publish
#       (JSON list; KEYS[4] is the flag set).
#       KEYS[5] the board's revision: a counter that moves whenever anything is placed, so a
#       reader's built board knows it is still the board without reading it again.
# Returns how many were placed (an older version than the one placed is skipped).
PLACE = r"""
local board, versions, rolls, flags, revision = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
for _, member in ipairs(cjson.decode(ARGV[2])) do redis.call('SADD', flags, member) end
local placed = 0
for _, p in ipairs(cjson.decode(ARGV[1])) do
  local member, version = p[1], tonumber(p[2])
  if version >= tonumber(redis.call('HGET', versions, member) or '-1') then
    placed = placed + 1
    redis.call('HSET', versions, member, p[2])
    if p[4] == '1' then redis.call('ZADD', board, -tonumber(p[3]), member) else redis.call('ZREM', board, member) end
    if p[5] ~= '' then redis.call('ZADD', rolls, p[5], member) else redis.call('ZREM', rolls, member) end
  end
end
if placed > 0 then redis.call('INCR', revision) end
return placed
"""

# KEYS: 1 a member's announcement list. ARGV: the ids of the announcements just published,
# in order. Pops each only if it is still first, so two workers draining one list never
# drop one unsent. Returns how many are left.
POP_ANNOUNCEMENT = r"""
for _, id in ipairs(ARGV) do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if head and cjson.decode(head).id == id then redis.call('LPOP', KEYS[1]) end
end
return redis.call('LLEN', KEYS[1])
"""
