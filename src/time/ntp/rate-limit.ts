// Per-client rate limiting for the NTP server (RFC 5905 §7.4, like chrony's `ratelimit`):
// a token bucket per client address that fills at one request per interval up to a burst.
// A request that finds a token is served; one that finds none gets a RATE kiss-o'-death, at
// most one per interval per client, and the rest are dropped unanswered, so a flood earns
// no more datagrams than a polite client. The table of clients is bounded: the least
// recently heard client is forgotten first (it then starts again with a full bucket).
// Time comes in as an argument (ms on a monotonic clock), so this file never reads a clock.

export interface RateLimitOptions {
  /** Average time a client must leave between requests, seconds (default 2). */
  intervalS?: number
  /** Requests a client may send back to back before the limit applies (default 8). */
  burst?: number
  /** Clients remembered at most (default 4096). */
  maxClients?: number
}

export type RateDecision = 'serve' | 'kiss' | 'drop'

interface Bucket {
  tokens: number
  /** When `tokens` was last brought up to date, and when this client was last kissed, ms. */
  at: number
  kissedAt: number
}

export const RATE_LIMIT_DEFAULTS = { intervalS: 2, burst: 8, maxClients: 4096 } as const

export class RateLimiter {
  readonly intervalS: number
  readonly burst: number
  readonly maxClients: number
  private readonly intervalMs: number
  /** Map order is recency order: a client heard from is moved to the end. */
  private readonly clients = new Map<string, Bucket>()

  constructor(options: RateLimitOptions = {}) {
    this.intervalS = options.intervalS ?? RATE_LIMIT_DEFAULTS.intervalS
    this.burst = options.burst ?? RATE_LIMIT_DEFAULTS.burst
    this.maxClients = options.maxClients ?? RATE_LIMIT_DEFAULTS.maxClients
    if (!(this.intervalS > 0) || !Number.isFinite(this.intervalS))
      throw new RangeError('the rate-limit interval must be a positive number of seconds')
    if (!Number.isInteger(this.burst) || this.burst < 1)
      throw new RangeError('the rate-limit burst must be a whole number of at least 1')
    if (!Number.isInteger(this.maxClients) || this.maxClients < 1)
      throw new RangeError('the rate-limit client table must hold at least 1 client')
    this.intervalMs = this.intervalS * 1000
  }

  /** What to do with a request from `client` (an address) arriving at `nowMs`. */
  check(client: string, nowMs: number): RateDecision {
    let bucket = this.clients.get(client)
    if (bucket === undefined) {
      bucket = { tokens: this.burst, at: nowMs, kissedAt: -Infinity }
      if (this.clients.size >= this.maxClients) {
        const oldest = this.clients.keys().next()
        if (!oldest.done) this.clients.delete(oldest.value)
      }
    } else {
      this.clients.delete(client)
      bucket.tokens = Math.min(
        this.burst,
        bucket.tokens + Math.max(0, nowMs - bucket.at) / this.intervalMs,
      )
      bucket.at = nowMs
    }
    this.clients.set(client, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 'serve'
    }
    if (nowMs - bucket.kissedAt >= this.intervalMs) {
      bucket.kissedAt = nowMs
      return 'kiss'
    }
    return 'drop'
  }

  /** How many clients the table holds now. */
  size(): number {
    return this.clients.size
  }

  /** The poll exponent a RATE kiss asks for: log2 of the interval, rounded up. */
  pollExponent(): number {
    return Math.max(0, Math.ceil(Math.log2(this.intervalS)))
  }
}
