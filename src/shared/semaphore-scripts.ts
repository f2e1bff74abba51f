/**
 * The Lua scripts of the shared semaphore. Redis runs each one atomically, on its own clock
 * (`TIME`), so the hosts' clocks do not matter. Keys of a namespace share one hash tag.
 *
 * Per source: `slots:<source>`, a sorted set of the leases held (member `<client>:<token>`,
 * scored by expiry), and `queue:<source>`, the waiting acquires, oldest first (entry
 * `<client>|<seq>|<ttl ms>`). Per namespace: `fence`, the counter that numbers every lease ever
 * granted (a fencing token: a member is never reused, so a late release or renewal can never touch
 * a slot now held by someone else), and `epoch`, `<server run id>|<end of recovery>`. Per
 * process: `alive:<client>` (refreshed while the process lives) and `grants:<client>`, the list
 * its own connection blocks on to receive the slots handed to its waiters.
 *
 * Hand-off: whoever frees a slot (release, or an expiry noticed by any script) grants it at once
 * to the oldest live waiter, pushing `<seq>|<member>` onto that waiter's grants list; a dead
 * waiter's entry is dropped, and a live process's entry that it finds dropped (`<seq>|`) makes it
 * queue again. No polling: a released slot reaches the next waiter in one round trip.
 *
 * Recovery: a server whose run id differs from the epoch's (Redis restarted, possibly empty, or a
 * replica was promoted) starts a recovery window; during it no new lease is granted, and the
 * renewals of running calls re-register leases the server lost.
 */
import type { ScriptSet } from './redis-connection.js';

const PRELUDE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function recovery_end(epoch_key, run_id, recovery_ms)
  local epoch = redis.call('GET', epoch_key)
  if epoch then
    local sep = string.find(epoch, '|', 1, true)
    if sep and string.sub(epoch, 1, sep - 1) == run_id then return tonumber(string.sub(epoch, sep + 1)) end
  end
  local ends = now + recovery_ms
  redis.call('SET', epoch_key, run_id .. '|' .. ends)
  return ends
end
local function hand_off(prefix, slots, queue, fence, cap)
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
  while redis.call('ZCARD', slots) < cap do
    local entry = redis.call('LPOP', queue)
    if not entry then return end
    local a = string.find(entry, '|', 1, true)
    local b = string.find(entry, '|', a + 1, true)
    local client = string.sub(entry, 1, a - 1)
    local seq = string.sub(entry, a + 1, b - 1)
    local grants = prefix .. ':grants:' .. client
    if redis.call('EXISTS', prefix .. ':alive:' .. client) == 1 then
      local member = client .. ':' .. redis.call('INCR', fence)
      redis.call('ZADD', slots, now + tonumber(string.sub(entry, b + 1)), member)
      redis.call('RPUSH', grants, seq .. '|' .. member)
    else
      redis.call('RPUSH', grants, seq .. '|')
    end
    redis.call('PEXPIRE', grants, 600000)
  end
end`;

/** The semaphore's scripts; define them on the connection. */
export const SEMAPHORE_SCRIPTS: ScriptSet = {
  // KEYS: slots, queue, epoch, fence. ARGV: prefix, cap, client, seq, ttl, run id, recovery ms, alive ms.
  // Returns {1, member} (granted), {0, hint ms, 1} (queued: the grant will come on the grants list),
  // or {0, wait ms, 0} (recovering: try again after wait ms).
  bcssBulkAcquire: {
    keys: 4,
    lua: `${PRELUDE}
local cap = tonumber(ARGV[2])
redis.call('SET', ARGV[1] .. ':alive:' .. ARGV[3], '1', 'PX', tonumber(ARGV[8]))
local ends = recovery_end(KEYS[3], ARGV[6], tonumber(ARGV[7]))
if now < ends then return {0, ends - now, 0} end
hand_off(ARGV[1], KEYS[1], KEYS[2], KEYS[4], cap)
if redis.call('ZCARD', KEYS[1]) < cap then
  local member = ARGV[3] .. ':' .. redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), member)
  return {1, member}
end
redis.call('RPUSH', KEYS[2], ARGV[3] .. '|' .. ARGV[4] .. '|' .. ARGV[5])
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(first[2]) - now, 1}`,
  },
  // KEYS: slots, queue, fence. ARGV: prefix, cap, client, alive ms. Hands out slots freed by expiry; keeps the process alive.
  bcssBulkNudge: {
    keys: 3,
    lua: `${PRELUDE}
redis.call('SET', ARGV[1] .. ':alive:' .. ARGV[3], '1', 'PX', tonumber(ARGV[4]))
hand_off(ARGV[1], KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[2]))
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then return tonumber(first[2]) - now end
return -1`,
  },
  // KEYS: queue. ARGV: entry. Withdraws a waiting acquire; 0 when it was already handed a slot (or dropped).
  bcssBulkCancel: {
    keys: 1,
    lua: `return redis.call('LREM', KEYS[1], 1, ARGV[1])`,
  },
  // KEYS: slots, epoch. ARGV: member, ttl, run id, recovery ms, cap.
  // Returns 1 (extended), 2 (re-registered during a recovery window) or 0 (lost: never re-added).
  bcssBulkRenew: {
    keys: 2,
    lua: `${PRELUDE}
local ends = recovery_end(KEYS[2], ARGV[3], tonumber(ARGV[4]))
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  return 1
end
if now < ends and redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[5]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  return 2
end
return 0`,
  },
  // KEYS: slots, queue, fence. ARGV: prefix, member, cap. Frees the slot (only this very lease) and hands it on.
  bcssBulkRelease: {
    keys: 3,
    lua: `${PRELUDE}
local removed = redis.call('ZREM', KEYS[1], ARGV[2])
hand_off(ARGV[1], KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[3]))
return removed`,
  },
};
