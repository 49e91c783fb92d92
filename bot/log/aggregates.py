"""The outcome aggregates: KPI counters and the review index, kept as events are logged.

Every event the log appends also updates, in the same Lua call (so exactly once per event
id, atomically with the append; docs/outcome-log.md):

    kefu:agg:day:<day>              hash  the day's counts over every conversation: messages,
                                          score_total, sentiment:<label>, spent,
                                          technique:<t>:<action>, complaint:<type>:<action>
    kefu:agg:agents:<day>           set   whose daily budgets were in play that day
    kefu:agg:conv:<day>             hash  conversation id → its part for the day (JSON)
    kefu:agg:cday:<cid>             hash  day → the conversation's part for that day, with its
                                          own counts (``x``, for one agent's KPIs)
    kefu:agg:ix:<day>:<filter>:<v>  set   conversations whose part for the day has that value
                                          (agent, complaint_type, sentiment, outcome)
    kefu:agg:qa:<day>               hash  conversation id → its QA scorecard in short (JSON:
                                          ``a`` agent, ``s`` score, ``i`` criterion → met),
                                          the day being the close's; the last qa event wins
    kefu:agg:meta                   hash  ``state``: live / rebuilding / clearing; ``cursor``

Days are Taiwan days. A conversation's *part* for a day is the summary of its events of
that day (:class:`bot.log.kpis.ConversationSummary`, in short keys); the parts of a
period's days merge into the conversation's summary over that period
(:mod:`bot.log.views`), so a period of whole days gives what the full scan gives.

The aggregates are updated only while ``state`` is ``live``: a log that starts empty is
live from its first event; a log that holds events from before the aggregates is rebuilt
once (:mod:`bot.log.rebuild`), and appends meanwhile are folded in by the rebuild.
"""

from __future__ import annotations

import json
from typing import Any, List, Mapping

from bot.log.kpis import OWNER_ACTIONS, day_of
from bot.log.qa import QA_ACTIONS, Scorecard
from bot.store import keys

META = f"{keys.PREFIX}:agg:meta"
PATTERN = f"{keys.PREFIX}:agg:*"
FILTERS = ("agent", "complaint_type", "sentiment", "outcome")
SUGGESTION_ACTIONS = ("shown", "used", "edited", "dismissed")
SPENT_ACTIONS = ("granted", "approved")
FACTS = 17  # the length of :func:`facts`


def day_key(day: str) -> str:
    return f"{keys.PREFIX}:agg:day:{day}"


def agents_key(day: str) -> str:
    return f"{keys.PREFIX}:agg:agents:{day}"


def parts_key(day: str) -> str:
    return f"{keys.PREFIX}:agg:conv:{day}"


def conversation_key(cid: str) -> str:
    return f"{keys.PREFIX}:agg:cday:{cid}"


def qa_key(day: str) -> str:
    return f"{keys.PREFIX}:agg:qa:{day}"


def index_key(day: str, name: str, value: str) -> str:
    return f"{keys.PREFIX}:agg:ix:{day}:{name}:{value}"


def _text(value: Any) -> str:
    """A number as the log's JSON writes it (json.loads gives back the same value)."""
    return json.dumps(value)


def facts(record: Mapping[str, Any]) -> List[str]:
    """What one event contributes, as the Lua arguments (empty string: nothing)."""
    action = record["action"]
    agent = record.get("agent") or ""
    if action in OWNER_ACTIONS:
        role = "owner"  # makes the conversation theirs, and their budget in play that day
    elif action == "approved":
        role = "approver"  # their budget in play that day
    else:
        role = ""
    message = action == "message"
    suggestion = action in SUGGESTION_ACTIONS
    closed = action == "closed"
    qa = action in QA_ACTIONS
    return [
        day_of(record["ts"]),
        record["conversation_id"],
        action,
        agent,
        role,
        _text(record["ts"]),
        record["sentiment"] if message else "",
        _text(float(record["score"])) if message else "",
        record.get("complaint_type") or "",
        record["technique"] if suggestion else "",
        str(int(record["cost"])) if action in SPENT_ACTIONS else "",
        record["resolution"] if closed else "",
        _text(record.get("handle_time_s")) if closed else "",
        _text(record.get("first_response_s")) if closed else "",
        str(int(record["rating"])) if action == "rated" else "",
        record["day"] if qa else "",
        Scorecard.from_dict(record).part(record.get("owner")) if qa else "",
    ]


# Lua, read-only. ARGV: prefix, ``with counts`` (1/0), days. Per day: its parts as one JSON
# array, and with counts also its counts and agents (JSON): a few replies per day to
# decode instead of two per conversation and per counter.
DAYS_LUA = """
local found = {}
for at = 3, #ARGV do
  local function key(kind) return table.concat({ARGV[1], 'agg', kind, ARGV[at]}, ':') end
  local parts = redis.call('HVALS', key('conv'))
  found[#found + 1] = '[' .. table.concat(parts, ',') .. ']'
  if ARGV[2] == '1' then
    local flat, counts = redis.call('HGETALL', key('day')), {}
    for i = 1, #flat, 2 do counts[flat[i]] = flat[i + 1] end
    found[#found + 1] = cjson.encode(counts)
    found[#found + 1] = cjson.encode(redis.call('SMEMBERS', key('agents')))
  end
end
return found
"""

# Lua, read-only. ARGV: prefix, the number of days, the days, conversation ids. Those
# conversations' parts (with their own counts) for those days, as one JSON array.
CONVERSATION_PARTS_LUA = """
local wanted = {}
local last_day = 2 + tonumber(ARGV[2])
for at = 3, last_day do wanted[ARGV[at]] = true end
local found = {}
for at = last_day + 1, #ARGV do
  local by_day = redis.call('HGETALL', table.concat({ARGV[1], 'agg', 'cday', ARGV[at]}, ':'))
  for i = 1, #by_day, 2 do
    if wanted[by_day[i]] then found[#found + 1] = by_day[i + 1] end
  end
end
return '[' .. table.concat(found, ',') .. ']'
"""

# Lua: ``aggregate(prefix, entry, f)`` with ``f`` the list :func:`facts` made. Numbers
# that must come back exactly (ts, scores, times) stay strings: cjson keeps 14 digits.
LUA = """
local SUGGESTION = {shown = 1, used = 2, edited = 3, dismissed = 4}  -- g: counts in this order
local SPENT = {granted = true, approved = true}
local FILTERS = {'agent', 'complaint_type', 'sentiment', 'outcome'}

local function key(prefix, ...)
  return table.concat({prefix, 'agg', ...}, ':')
end

local function bump(t, name, n)
  t[name] = (t[name] or 0) + n
end

local function index_values(p)
  return {agent = p.a, complaint_type = p.k or p.m, sentiment = p.se, outcome = p.o or 'open'}
end

local function aggregate(prefix, entry, f)
  local day, cid, action, agent, role = f[1], f[2], f[3], f[4], f[5]
  local ts, sentiment, score, complaint, technique = f[6], f[7], f[8], f[9], f[10]
  local cost, resolution, handle, first, rating = f[11], f[12], f[13], f[14], f[15]
  local qa_day, qa_part = f[16], f[17]
  local complaint_key = complaint ~= '' and complaint or 'none'

  -- the day, over every conversation
  local day_key = key(prefix, 'day', day)
  if action == 'message' then
    redis.call('HINCRBY', day_key, 'messages', 1)
    redis.call('HINCRBYFLOAT', day_key, 'score_total', score)
    redis.call('HINCRBY', day_key, 'sentiment:' .. sentiment, 1)
  elseif SUGGESTION[action] then
    redis.call('HINCRBY', day_key, 'technique:' .. technique .. ':' .. action, 1)
    redis.call('HINCRBY', day_key, 'complaint:' .. complaint_key .. ':' .. action, 1)
  elseif SPENT[action] then
    redis.call('HINCRBY', day_key, 'spent', cost)
  end
  if agent ~= '' and role ~= '' then
    redis.call('SADD', key(prefix, 'agents', day), agent)
  end

  -- the conversation's part for the day
  local cday = key(prefix, 'cday', cid)
  local raw = redis.call('HGET', cday, day)
  local p, before
  if raw then
    p = cjson.decode(raw)
    before = index_values(p)
  else
    p = {c = cid, d = day, s = ts, e = entry, n = 0, co = 0,
         g = {0, 0, 0, 0},
         x = {ss = '0', sn = {}, ag = {}, t = {}, c = {}}}
    before = {}
  end
  if agent ~= '' and role ~= '' then
    p.x.ag[agent] = 1
    if role == 'owner' then p.a = agent end
  end
  if action == 'message' then
    p.n = p.n + 1
    p.se = sentiment
    if not p.lo or tonumber(score) < tonumber(p.lo) then p.lo = score end
    if complaint ~= '' and not p.m then p.m = complaint end
    p.x.ss = string.format('%.17g', tonumber(p.x.ss) + tonumber(score))
    bump(p.x.sn, sentiment, 1)
  elseif action == 'escalation' then
    p.es = 1
  elseif SUGGESTION[action] then
    bump(p.g, SUGGESTION[action], 1)
    local t = p.x.t[technique] or {}
    bump(t, action, 1)
    p.x.t[technique] = t
    local c = p.x.c[complaint_key] or {}
    bump(c, action, 1)
    p.x.c[complaint_key] = c
  elseif SPENT[action] then
    p.co = p.co + tonumber(cost)
  elseif action == 'closed' then
    p.o, p.h, p.f = resolution, handle, first
  elseif action == 'rated' then
    p.r = tonumber(rating)
  elseif action == 'corrected' and complaint ~= '' then
    p.k = complaint
  end

  -- the review index: the part's values, moved when they change
  local after = index_values(p)
  for _, name in ipairs(FILTERS) do
    local old, new = before[name], after[name]
    if old ~= new then
      if old then redis.call('SREM', key(prefix, 'ix', day, name, old), cid) end
      if new then redis.call('SADD', key(prefix, 'ix', day, name, new), cid) end
    end
  end

  -- a QA scorecard, under the day of the close it scores (the last one wins)
  if qa_day ~= '' then
    redis.call('HSET', key(prefix, 'qa', qa_day), cid, qa_part)
  end

  redis.call('HSET', cday, day, cjson.encode(p))
  p.x = nil
  redis.call('HSET', key(prefix, 'conv', day), cid, cjson.encode(p))
end
"""
