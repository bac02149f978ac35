// Reliable FIFO streams between peers, without I/O: what an algorithm that assumes
// reliable links needs below it on a lossy LAN. Per peer, frames are numbered from 0
// within the sender's boot (its epoch) and the receiver's boot (`to`), acknowledged
// cumulatively, retransmitted until acked, deduplicated and delivered in order. A
// body too large for one datagram is split into fragments that the in-order delivery
// puts back together. A restarted peer (a new epoch) starts fresh streams both ways:
// what was in flight to its previous boot is dropped, as messages to a crashed node are.
import type { JsonValue } from '../core/json'
import { MAX_BODY, type Body } from './envelope'

type DataBody = Body<'data'>
type AckBody = Body<'ack'>

/** Room for the frame's own fields around a fragment. */
const FRAME_OVERHEAD = 120
const FRAGMENT_BUDGET = MAX_BODY - FRAME_OVERHEAD

export interface ReliableOptions {
  /** Retransmission timeout, ms. */
  rtoMs?: number
  /** Frames in flight per peer before further ones wait. */
  window?: number
}

interface Outbound {
  peerEpoch: string
  next: number
  /** Frames below this are acked. */
  acked: number
  inflight: Map<number, { frame: DataBody; sentAt: number }>
  queue: DataBody[]
}

interface Inbound {
  epoch: string
  next: number
  held: Map<number, DataBody>
  fragments: string[]
}

export interface FrameMeta {
  /** The multicast broadcast barrier the body came with. */
  bs?: number
  /** Frames of the stream up to and including the body's last one. */
  end: number
}

export interface Transmit {
  peer: string
  frame: DataBody
}

export class ReliableStreams {
  private readonly out = new Map<string, Outbound>()
  private readonly in = new Map<string, Inbound>()
  private readonly rtoMs: number
  private readonly window: number
  retransmitted = 0
  duplicates = 0

  constructor(
    /** This node's boot epoch. */
    readonly epoch: string,
    options: ReliableOptions = {},
  ) {
    this.rtoMs = options.rtoMs ?? 100
    this.window = options.window ?? 128
  }

  /**
   * Frames to send now for `body` to `peer` (whose current boot is `peerEpoch`); `bs`, the
   * multicast broadcast barrier (multicast.ts), rides on every frame of it when given.
   */
  send(peer: string, peerEpoch: string, body: JsonValue, now: number, bs?: number): Transmit[] {
    let o = this.out.get(peer)
    if (o === undefined || o.peerEpoch !== peerEpoch) {
      o = { peerEpoch, next: 0, acked: 0, inflight: new Map(), queue: [] }
      this.out.set(peer, o)
    }
    for (const frame of this.frames(o, peerEpoch, body, bs)) o.queue.push(frame)
    return this.pump(peer, o, now)
  }

  /** Frames numbered so far on the stream to `peer`'s boot `peerEpoch`, and how many are acked. */
  sent(peer: string, peerEpoch: string): { frames: number; acked: number } {
    const o = this.out.get(peer)
    if (o === undefined || o.peerEpoch !== peerEpoch) return { frames: 0, acked: 0 }
    return { frames: o.next, acked: o.acked }
  }

  /** An ack from `peer`: forget what it has, and send what waited for room. */
  ack(peer: string, ack: AckBody, now: number): Transmit[] {
    const o = this.out.get(peer)
    if (o === undefined || ack.ep !== this.epoch) return []
    for (const s of o.inflight.keys()) if (s < ack.a) o.inflight.delete(s)
    o.acked = Math.min(o.next, Math.max(o.acked, ack.a))
    return this.pump(peer, o, now)
  }

  /**
   * A data frame from `peer`: the bodies now deliverable in order, index for index the
   * broadcast barrier each came with and the number of its stream's frames up to its
   * end (`meta`), and the ack to send.
   */
  receive(
    peer: string,
    frame: DataBody,
  ): { deliver: JsonValue[]; meta: FrameMeta[]; ack?: AckBody } {
    const meta: FrameMeta[] = []
    if (frame.to !== this.epoch) return { deliver: [], meta }
    let i = this.in.get(peer)
    if (i === undefined || i.epoch !== frame.ep) {
      i = { epoch: frame.ep, next: 0, held: new Map(), fragments: [] }
      this.in.set(peer, i)
    }
    if (frame.s < i.next || i.held.has(frame.s)) this.duplicates++
    else if (frame.s < i.next + 4 * this.window) i.held.set(frame.s, frame)
    const deliver: JsonValue[] = []
    for (let f = i.held.get(i.next); f !== undefined; f = i.held.get(i.next)) {
      i.held.delete(i.next++)
      if (f.f === undefined) {
        deliver.push(f.b)
        meta.push({ bs: f.bs, end: i.next })
      } else {
        i.fragments.push(f.b as string)
        if (f.f[0] === f.f[1] - 1) {
          const text = i.fragments.join('')
          i.fragments = []
          try {
            deliver.push(JSON.parse(text) as JsonValue)
            meta.push({ bs: f.bs, end: i.next })
          } catch {
            // A sender's bug, not the network's: nothing to deliver.
          }
        }
      }
    }
    return { deliver, meta, ack: { ep: frame.ep, a: i.next } }
  }

  /** Frames whose ack is overdue, to send again. */
  due(now: number): Transmit[] {
    const out: Transmit[] = []
    for (const [peer, o] of this.out)
      for (const entry of o.inflight.values())
        if (now - entry.sentAt >= this.rtoMs) {
          entry.sentAt = now
          this.retransmitted++
          out.push({ peer, frame: entry.frame })
        }
    return out
  }

  /** Forget everything about a peer that left or crashed. */
  forget(peer: string): void {
    this.out.delete(peer)
    this.in.delete(peer)
  }

  /** Frames not yet acknowledged, all peers. */
  unacked(): number {
    let n = 0
    for (const o of this.out.values()) n += o.inflight.size + o.queue.length
    return n
  }

  private pump(peer: string, o: Outbound, now: number): Transmit[] {
    const out: Transmit[] = []
    while (o.queue.length > 0 && o.inflight.size < this.window) {
      const frame = o.queue.shift() as DataBody
      o.inflight.set(frame.s, { frame, sentAt: now })
      out.push({ peer, frame })
    }
    return out
  }

  private frames(o: Outbound, to: string, body: JsonValue, bs?: number): DataBody[] {
    const barrier = bs === undefined ? {} : { bs }
    const whole: DataBody = { ep: this.epoch, to, s: o.next, b: body, ...barrier }
    if (Buffer.byteLength(JSON.stringify(whole)) <= MAX_BODY) {
      o.next++
      return [whole]
    }
    const chunks = chunk(JSON.stringify(body))
    return chunks.map((b, k) => ({
      ep: this.epoch,
      to,
      s: o.next++,
      f: [k, chunks.length],
      b,
      ...barrier,
    }))
  }
}

/** Splits JSON text into pieces each of which still fits a frame once escaped. */
function chunk(text: string): string[] {
  const out: string[] = []
  let at = 0
  while (at < text.length) {
    let size = Math.min(FRAGMENT_BUDGET, text.length - at)
    while (Buffer.byteLength(JSON.stringify(text.slice(at, at + size))) > FRAGMENT_BUDGET)
      size = Math.max(1, Math.floor(size / 2))
    out.push(text.slice(at, at + size))
    at += size
  }
  return out
}
