// The wire envelope of every LAN datagram, version 1. A fixed binary header that is
// checked before anything is parsed (magic, version, lab id, sender, sequence number,
// send time, body length), a JSON body validated with zod per kind, and an
// HMAC-SHA256 over all of it. Why binary header + JSON body: the cheap checks and the
// MAC run on fixed offsets, so garbage and other labs cost no JSON parsing, while
// algorithm messages (JSON values) stay readable in a capture.
//
//   0 'C' 'L' | 2 version | 3 kind | 4 lab id (8) | 12 sender (8) | 20 seq (u32 hi, u32 lo)
//   28 sent at (f64 ms, wall clock) | 36 body length (u16) | 38 body | mac (32)
//
// Every datagram stays at most MAX_DATAGRAM bytes (no IP fragmentation on any path
// with an MTU of 1280, IPv6's minimum); larger payloads are split by the reliable
// channel above (reliable.ts), never by IP.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import type { JsonValue } from '../core/json'
import type { LabKeys } from './keys'
import { ReplayWindow } from './replay-window'

export const WIRE_VERSION = 1
export const MAX_DATAGRAM = 1200
const HEADER = 38
const MAC = 32
export const MAX_BODY = MAX_DATAGRAM - HEADER - MAC

const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(json),
    z.record(z.string(), json),
  ]),
)
const port = z.int().min(1).max(65535)
const epoch = z.string().regex(/^[0-9a-f]{8,32}$/)
const count = z.int().nonnegative()

/** The body of each kind of datagram. */
export const BodySchemas = {
  /** Announce / heartbeat: where to reach the sender and which boot of it this is. */
  hello: z.strictObject({
    port,
    name: z.string().max(64),
    epoch,
  }),
  /** Leaving the lab on purpose. */
  bye: z.strictObject({ epoch }),
  /** A frame of a reliable stream: stream epoch, frame number, fragment (k of n), body. */
  data: z.strictObject({
    ep: epoch,
    to: epoch,
    s: count,
    f: z.tuple([count, z.int().positive()]).optional(),
    b: json,
    /** Multicast broadcast barrier (multicast.ts): deliver after the sender's broadcasts below it. */
    bs: count.optional(),
  }),
  /** Cumulative acknowledgement of a reliable stream: every frame below `a` arrived. */
  ack: z.strictObject({ ep: epoch, a: count }),
  // Multicast broadcast (multicast.ts): one datagram to the group, numbered per sender boot.
  /**
   * A broadcast: sender's epoch, broadcast number, the peer ids it is for, body, and per
   * peer with unicast frames not yet acked, how many of its unicast frames come first.
   */
  mcast: z.strictObject({
    ep: epoch,
    s: count,
    to: z.array(z.string().regex(/^[0-9a-f]{16}$/)).max(64),
    b: json,
    w: z.record(z.string().regex(/^[0-9a-f]{16}$/), count).optional(),
  }),
  /** A receiver asks the sender (unicast) for the broadcasts of epoch `ep` it lacks. */
  nack: z.strictObject({ ep: epoch, s: z.array(count).min(1).max(128) }),
  /** The sender's broadcast heartbeat: every broadcast below `n` was sent (tail loss shows). */
  mhb: z.strictObject({ ep: epoch, n: count }),
} as const

export type Kind = keyof typeof BodySchemas
const KINDS: readonly Kind[] = ['hello', 'bye', 'data', 'ack', 'mcast', 'nack', 'mhb']
export type Body<K extends Kind> = z.infer<(typeof BodySchemas)[K]>

export type Envelope = {
  [K in Kind]: { kind: K; sender: string; seq: number; sentAt: number; body: Body<K> }
}[Kind]

export const DROP_REASONS = [
  'malformed',
  'oversized',
  'bad-mac',
  'wrong-lab',
  'replayed',
  'unknown-version',
  'stale',
] as const
export type DropReason = (typeof DROP_REASONS)[number]
export type DropCounts = Record<DropReason, number>

export const emptyDropCounts = (): DropCounts =>
  Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as DropCounts

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError'
}

/** Seals outgoing datagrams for one sender. */
export class Sealer {
  /** Starts at the boot time in µs: a restarted sender continues above its last number. */
  private seq: number

  constructor(
    private readonly keys: LabKeys,
    /** 16 hex digits: the peer's id. */
    readonly sender: string,
    private readonly wallClock: () => number = Date.now,
  ) {
    if (!/^[0-9a-f]{16}$/.test(sender)) throw new RangeError('sender id: 16 hex digits')
    this.seq = Math.floor(wallClock() * 1000)
  }

  /** A datagram carrying `body`; throws BodyTooLargeError past MAX_BODY bytes. */
  seal<K extends Kind>(kind: K, body: Body<K>): Buffer {
    const text = Buffer.from(JSON.stringify(body), 'utf8')
    if (text.length > MAX_BODY)
      throw new BodyTooLargeError(`${kind} body of ${text.length} bytes (at most ${MAX_BODY})`)
    const buf = Buffer.allocUnsafe(HEADER + text.length + MAC)
    buf.write('CL', 0, 'latin1')
    buf[2] = WIRE_VERSION
    buf[3] = KINDS.indexOf(kind)
    this.keys.labId.copy(buf, 4)
    buf.write(this.sender, 12, 'hex')
    const seq = this.seq++
    buf.writeUInt32BE(Math.floor(seq / 2 ** 32), 20)
    buf.writeUInt32BE(seq % 2 ** 32, 24)
    buf.writeDoubleBE(this.wallClock(), 28)
    buf.writeUInt16BE(text.length, 36)
    text.copy(buf, HEADER)
    mac(this.keys.macKey, buf.subarray(0, HEADER + text.length)).copy(buf, HEADER + text.length)
    return buf
  }
}

function mac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest()
}

export interface OpenerOptions {
  /** Largest |receiver's wall clock − sender's send time|, ms (default 120 s). */
  staleMs?: number
  windowSize?: number
  /** Senders whose replay windows are kept (least recently heard forgotten first). */
  maxSenders?: number
  wallClock?: () => number
}

export type Opened = { ok: true; envelope: Envelope } | { ok: false; reason: DropReason }

/** Checks incoming datagrams: never throws, counts every drop by reason. */
export class Opener {
  readonly drops: DropCounts = emptyDropCounts()
  accepted = 0
  private readonly windows = new Map<string, ReplayWindow>()
  private readonly staleMs: number
  private readonly windowSize: number
  private readonly maxSenders: number
  private readonly wallClock: () => number

  constructor(
    private readonly keys: LabKeys,
    options: OpenerOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 120_000
    this.windowSize = options.windowSize ?? 1024
    this.maxSenders = options.maxSenders ?? 4096
    this.wallClock = options.wallClock ?? Date.now
  }

  open(data: Uint8Array): Opened {
    const r = this.check(Buffer.isBuffer(data) ? data : Buffer.from(data))
    if (r.ok) this.accepted++
    else this.drops[r.reason]++
    return r
  }

  private check(buf: Buffer): Opened {
    const drop = (reason: DropReason): Opened => ({ ok: false, reason })
    if (buf.length > MAX_DATAGRAM) return drop('oversized')
    if (buf.length < HEADER + MAC || buf[0] !== 0x43 || buf[1] !== 0x4c) return drop('malformed')
    if (buf[2] !== WIRE_VERSION) return drop('unknown-version')
    if (!buf.subarray(4, 12).equals(this.keys.labId)) return drop('wrong-lab')
    const length = buf.readUInt16BE(36)
    if (HEADER + length + MAC !== buf.length) return drop('malformed')
    const expected = mac(this.keys.macKey, buf.subarray(0, HEADER + length))
    if (!timingSafeEqual(expected, buf.subarray(HEADER + length))) return drop('bad-mac')
    const kind = KINDS[buf[3]]
    if (kind === undefined) return drop('malformed')
    const sentAt = buf.readDoubleBE(28)
    if (!(Math.abs(this.wallClock() - sentAt) <= this.staleMs)) return drop('stale')
    const sender = buf.toString('hex', 12, 20)
    const seq = buf.readUInt32BE(20) * 2 ** 32 + buf.readUInt32BE(24)
    const window = this.windows.get(sender)
    if (window !== undefined && !window.check(seq)) return drop('replayed')
    let body: unknown
    try {
      body = JSON.parse(buf.toString('utf8', HEADER, HEADER + length))
    } catch {
      return drop('malformed')
    }
    const parsed = BodySchemas[kind].safeParse(body)
    if (!parsed.success) return drop('malformed')
    this.window(sender).accept(seq)
    return { ok: true, envelope: { kind, sender, seq, sentAt, body: parsed.data } as Envelope }
  }

  private window(sender: string): ReplayWindow {
    let w = this.windows.get(sender)
    if (w !== undefined) {
      // Most recently heard last, so the first key is the one to forget.
      this.windows.delete(sender)
    } else {
      w = new ReplayWindow(this.windowSize)
      if (this.windows.size >= this.maxSenders)
        this.windows.delete(this.windows.keys().next().value as string)
    }
    this.windows.set(sender, w)
    return w
  }
}
