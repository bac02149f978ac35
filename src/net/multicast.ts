// Reliable multicast broadcast, without I/O: one datagram to the lab's group instead
// of a unicast per peer, made as reliable and as ordered as the unicast streams
// (reliable.ts) the algorithms otherwise get.
//
// Sender: each broadcast gets the next number of the sender's boot (its epoch) and
// names the peers it is for; the last `buffer` of them are kept for repairs, and a
// heartbeat (`mhb`) says how many were sent, so a lost last one shows too. Its unicast
// frames carry the barrier `bs`: how many broadcasts it had sent before them; and a
// broadcast names, for each peer whose unicast stream has frames not yet acked, how
// many frames of that stream were sent before it (`w`).
//
// Receiver, per sender: broadcasts are taken strictly in number order (holding those
// that arrive early, asking for the missing ones with a NACK, dropping duplicates),
// delivered if they name this peer and skipped otherwise. The sender's unicast bodies
// merge in: one with barrier `bs` waits until the broadcasts below `bs` are taken, and
// is delivered before the broadcast numbered `bs`; a broadcast waits until the `w`
// unicast frames sent before it have arrived. The first unicast frame of a sender's
// stream (its barrier) says where this peer starts taking that sender's broadcasts:
// the sender names a peer in a broadcast only once it has sent that peer a unicast
// frame and had it acked (the lan peer sends a peer it has not a unicast copy
// instead), so the starting point is known here before anything for this peer is
// multicast. Together: per sender and receiver, unicasts and broadcasts are
// delivered exactly once and in the order they were sent (FIFO across both paths).
import type { JsonValue } from '../core/json'
import { MAX_BODY, type Body } from './envelope'

export type McastBody = Body<'mcast'>
export type NackBody = Body<'nack'>
export type HeartbeatBody = Body<'mhb'>

export interface BroadcastOptions {
  /** Broadcasts the sender keeps for repairs (default 4096). */
  buffer?: number
  /** How long a gap stays before it is NACKed, and between NACKs of one sender, ms. */
  nackMs?: number
  /** Heartbeat period when nothing new was sent, ms (a new broadcast is announced at the next tick). */
  heartbeatMs?: number
}

export interface BroadcastStats {
  /** Broadcast datagrams sent (first copies). */
  sent: number
  /** Broadcasts sent again on a NACK. */
  repaired: number
  /** Asked-for broadcasts no longer in the buffer (each a loss for some receiver). */
  evicted: number
  nacksSent: number
  /** Broadcasts received twice (the copy and the repair, say). */
  duplicates: number
  /** Broadcasts delivered here (named this peer). */
  delivered: number
}

interface Track {
  epoch: string
  /** Where this peer starts taking the sender's broadcasts; unknown until its first unicast. */
  base?: number
  /** The next broadcast number to take. */
  next: number
  /** Highest number + 1 the sender is known to have sent. */
  top: number
  held: Map<number, McastBody>
  /** Unicast bodies waiting for their barrier. */
  queue: { body: JsonValue; bs?: number }[]
  /** Frames of the sender's unicast stream to here that have arrived. */
  frames: number
  gapSince?: number
  lastNack: number
}

export interface Nack {
  peer: string
  body: NackBody
}

/** The most numbers one NACK asks for, and how far ahead of `next` a broadcast is held. */
const NACK_MAX = 128

export class BroadcastStreams {
  readonly stats: BroadcastStats = {
    sent: 0,
    repaired: 0,
    evicted: 0,
    nacksSent: 0,
    duplicates: 0,
    delivered: 0,
  }
  private next = 0
  private readonly sentBuffer = new Map<number, McastBody>()
  private announced = -1
  private lastHeartbeat = Number.NEGATIVE_INFINITY
  private readonly tracks = new Map<string, Track>()
  private readonly bufferSize: number
  private readonly nackMs: number
  private readonly heartbeatMs: number

  constructor(
    /** This peer's id (a broadcast is delivered here if it names it). */
    readonly self: string,
    /** This node's boot epoch. */
    readonly epoch: string,
    options: BroadcastOptions = {},
  ) {
    this.bufferSize = options.buffer ?? 4096
    this.nackMs = options.nackMs ?? 30
    this.heartbeatMs = options.heartbeatMs ?? 500
  }

  // ---- sender ----------------------------------------------------------------------------

  /** The barrier for a unicast frame sent now: the number of broadcasts sent before it. */
  get barrier(): number {
    return this.next
  }

  /**
   * The datagram body broadcasting `body` to `to`, after the unicast frames counted in
   * `wait` (peer id → frames sent to it so far, for peers with frames not yet acked);
   * undefined if it does not fit one datagram.
   */
  broadcast(
    to: readonly string[],
    body: JsonValue,
    wait: Record<string, number> = {},
  ): McastBody | undefined {
    const m: McastBody = { ep: this.epoch, s: this.next, to: [...to], b: body }
    if (Object.keys(wait).length > 0) m.w = wait
    if (to.length > 64 || Buffer.byteLength(JSON.stringify(m)) > MAX_BODY) return undefined
    this.next++
    this.sentBuffer.set(m.s, m)
    if (this.sentBuffer.size > this.bufferSize) this.sentBuffer.delete(m.s - this.bufferSize)
    this.stats.sent++
    return m
  }

  /** The broadcasts a NACK asks for; one gone from the buffer is sent as an empty one (named to no one). */
  repair(nack: NackBody): McastBody[] {
    if (nack.ep !== this.epoch) return []
    const out: McastBody[] = []
    for (const s of nack.s) {
      if (s >= this.next) continue
      const m = this.sentBuffer.get(s)
      if (m !== undefined) {
        this.stats.repaired++
        out.push(m)
      } else {
        this.stats.evicted++
        out.push({ ep: this.epoch, s, to: [], b: null })
      }
    }
    return out
  }

  /** The heartbeat to send now, if one is due: at once after new broadcasts, else every heartbeatMs. */
  heartbeat(now: number): HeartbeatBody | undefined {
    if (this.next === 0) return undefined
    if (this.announced === this.next && now - this.lastHeartbeat < this.heartbeatMs)
      return undefined
    this.announced = this.next
    this.lastHeartbeat = now
    return { ep: this.epoch, n: this.next }
  }

  // ---- receiver --------------------------------------------------------------------------

  /**
   * A unicast body from `peer` (its stream epoch `ep`, barrier `bs`, ending at frame
   * count `end` of that stream): the bodies deliverable now.
   */
  unicast(
    peer: string,
    ep: string,
    body: JsonValue,
    at: { bs?: number; end: number },
  ): JsonValue[] {
    const { bs } = at
    let t = this.tracks.get(peer)
    if (t === undefined || t.epoch !== ep) t = this.track(peer, ep)
    t.frames = Math.max(t.frames, at.end)
    if (t.base === undefined && bs !== undefined) {
      t.base = bs
      t.next = bs
      for (const s of t.held.keys()) if (s < bs) t.held.delete(s)
    }
    t.queue.push(bs === undefined ? { body } : { body, bs })
    return this.pump(t)
  }

  /** A broadcast datagram from `peer` (first copy or repair): the bodies deliverable now. */
  multicast(peer: string, m: McastBody): JsonValue[] {
    let t = this.tracks.get(peer)
    if (t === undefined || (t.epoch !== m.ep && t.base === undefined)) t = this.track(peer, m.ep)
    // Another boot than the one whose unicast stream set our starting point: stale, or
    // ahead of our view of it (repaired by NACK once its unicast stream starts).
    else if (t.epoch !== m.ep) return []
    t.top = Math.max(t.top, m.s + 1)
    if ((t.base !== undefined && m.s < t.next) || t.held.has(m.s)) {
      this.stats.duplicates++
      return []
    }
    const room =
      t.base === undefined ? t.held.size < this.bufferSize : m.s < t.next + this.bufferSize
    if (room) t.held.set(m.s, m)
    return this.pump(t)
  }

  /** A sender's heartbeat: how many broadcasts it has sent. */
  heard(peer: string, hb: HeartbeatBody): void {
    const t = this.tracks.get(peer)
    if (t !== undefined && t.epoch === hb.ep) t.top = Math.max(t.top, hb.n)
  }

  /** NACKs to send now: gaps older than nackMs, at most one NACK per sender per nackMs. */
  nacks(now: number): Nack[] {
    const out: Nack[] = []
    for (const [peer, t] of this.tracks) {
      if (t.base === undefined || t.next >= t.top) {
        t.gapSince = undefined
        continue
      }
      t.gapSince ??= now
      if (now - t.gapSince < this.nackMs || now - t.lastNack < this.nackMs) continue
      const missing: number[] = []
      for (let s = t.next; s < t.top && missing.length < NACK_MAX; s++)
        if (!t.held.has(s)) missing.push(s)
      if (missing.length === 0) continue
      t.lastNack = now
      this.stats.nacksSent++
      out.push({ peer, body: { ep: t.epoch, s: missing } })
    }
    return out
  }

  /** Forget a peer that left, crashed or restarted (what waited behind a gap is dropped). */
  forget(peer: string): void {
    this.tracks.delete(peer)
  }

  /** Bodies held here for want of an earlier broadcast, all senders. */
  waiting(): number {
    let n = 0
    for (const t of this.tracks.values()) n += t.held.size + t.queue.length
    return n
  }

  private track(peer: string, epoch: string): Track {
    const t: Track = {
      epoch,
      next: 0,
      top: 0,
      held: new Map(),
      queue: [],
      frames: 0,
      lastNack: Number.NEGATIVE_INFINITY,
    }
    this.tracks.set(peer, t)
    return t
  }

  private pump(t: Track): JsonValue[] {
    const out: JsonValue[] = []
    for (;;) {
      const u = t.queue[0]
      // A unicast without a barrier (its sender broadcasts by unicast) waits for nothing.
      if (u !== undefined && (u.bs === undefined || u.bs <= t.next)) {
        t.queue.shift()
        out.push(u.body)
        continue
      }
      if (t.base === undefined) break
      const m = t.held.get(t.next)
      // Not yet here, or unicast frames sent before it are still on their way.
      if (m === undefined || (m.w?.[this.self] ?? 0) > t.frames) break
      t.held.delete(t.next++)
      if (m.to.includes(this.self)) {
        this.stats.delivered++
        out.push(m.b)
      }
    }
    if (t.next >= t.top) t.gapSince = undefined
    return out
  }
}
