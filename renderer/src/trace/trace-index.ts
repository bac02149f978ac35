// A trace laid out for drawing and browsing: columns of typed arrays (time, node, kind) in
// trace order, each node's events, the delivered and dropped messages, crash and partition
// intervals and snapshot cuts. Built incrementally as pages of events arrive; every lookup
// by time is a binary search, so a view of 100,000 events touches only what it shows.
import type { TraceEvent, TraceMeta } from '../../../src/core/trace'

/** Event kinds as small numbers, for the kind column. */
export const K = {
  Start: 0,
  Recover: 1,
  Send: 2,
  Receive: 3,
  Timer: 4,
  Command: 5,
  Crash: 6,
  Drop: 7,
  Duplicate: 8,
  Partition: 9,
  Heal: 10,
} as const

const KIND_CODE: Record<TraceEvent['kind'], number> = {
  start: K.Start,
  recover: K.Recover,
  send: K.Send,
  receive: K.Receive,
  timer: K.Timer,
  command: K.Command,
  crash: K.Crash,
  drop: K.Drop,
  duplicate: K.Duplicate,
  partition: K.Partition,
  heal: K.Heal,
}

/** A growable column of numbers. */
class Column<A extends Float64Array | Int32Array> {
  length = 0
  constructor(public data: A) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => A)(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = v
  }
}
const f64 = () => new Column(new Float64Array(1024))
const i32 = () => new Column(new Int32Array(1024))

export interface Interval {
  start: number
  /** Infinity while it lasts. */
  end: number
}

export interface PartitionInterval extends Interval {
  groups: number[][]
  /** Trace position of the partition event. */
  at: number
}

/** The first index in [lo, hi) whose value is >= x (hi if none). */
export function lowerBound(a: ArrayLike<number>, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The first index in [lo, hi) whose value is > x (hi if none). */
export function upperBound(a: ArrayLike<number>, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

export class TraceIndex {
  readonly nodeCount: number
  readonly events: TraceEvent[] = []
  /** Display time of each event: true time, else the local clock, kept non-decreasing. */
  private readonly timeCol = f64()
  private readonly nodeCol = i32()
  private readonly kindCol = i32()
  /** Each node's events (trace positions), ascending. */
  readonly nodeEvents: Column<Int32Array>[]
  /** Delivered messages, in order of receipt: the send's and the receive's trace positions. */
  private readonly msgSend = i32()
  private readonly msgRecv = i32()
  /** The longest time a delivered message took. */
  maxMessageSpan = 0
  /** Dropped copies: the send's and the drop's trace positions, and the destination. */
  private readonly dropSend = i32()
  private readonly dropAt = i32()
  private readonly dropTo = i32()
  private readonly sendOf = new Map<number, number>()
  /** Per node, when it was down. */
  readonly crashes: Interval[][]
  readonly partitions: PartitionInterval[] = []
  /** Trace positions of events that carry notes. */
  readonly noted = i32()
  /** Snapshot id to the events where nodes recorded their state for it (a consistent cut). */
  readonly cuts = new Map<string, number[]>()

  constructor(readonly meta: TraceMeta) {
    this.nodeCount = meta.nodes.length
    this.nodeEvents = Array.from({ length: this.nodeCount }, i32)
    this.crashes = Array.from({ length: this.nodeCount }, () => [])
  }

  get length(): number {
    return this.events.length
  }
  get time(): Float64Array {
    return this.timeCol.data
  }
  get node(): Int32Array {
    return this.nodeCol.data
  }
  get kind(): Int32Array {
    return this.kindCol.data
  }
  get messageCount(): number {
    return this.msgRecv.length
  }
  get msgSendAt(): Int32Array {
    return this.msgSend.data
  }
  get msgRecvAt(): Int32Array {
    return this.msgRecv.data
  }
  get dropCount(): number {
    return this.dropAt.length
  }
  get dropSendAt(): Int32Array {
    return this.dropSend.data
  }
  get dropEventAt(): Int32Array {
    return this.dropAt.data
  }
  get dropTarget(): Int32Array {
    return this.dropTo.data
  }
  /** The time of the last event so far (0 when empty). */
  get lastTime(): number {
    return this.length === 0 ? 0 : this.time[this.length - 1]
  }

  append(events: readonly TraceEvent[]): void {
    for (const e of events) this.add(e)
  }

  /** Events whose time is <= t: how many, i.e. the position just past them. */
  countUpTo(t: number, limit = this.length): number {
    return upperBound(this.time, t, 0, limit)
  }

  /** The position of the first event at or after time t. */
  firstAt(t: number, limit = this.length): number {
    return lowerBound(this.time, t, 0, limit)
  }

  /** Delivered messages whose receipt is at or after t: the first's position in msg order. */
  firstMessageReceivedAt(t: number): number {
    const recv = this.msgRecv.data
    const time = this.time
    let lo = 0
    let hi = this.msgRecv.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (time[recv[mid]] < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The first dropped copy whose drop is at or after t. */
  firstDropAt(t: number): number {
    const at = this.dropAt.data
    const time = this.time
    let lo = 0
    let hi = this.dropAt.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (time[at[mid]] < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The last event of `node` before position `limit`, or -1. */
  lastOfNode(node: number, limit: number): number {
    const list = this.nodeEvents[node]
    const k = lowerBound(list.data, limit, 0, list.length) - 1
    return k >= 0 ? list.data[k] : -1
  }

  /** The send event of a message id, if it is in the trace. */
  sendOfMessage(msg: number): number | undefined {
    return this.sendOf.get(msg)
  }

  private add(e: TraceEvent): void {
    const i = this.events.length
    this.events.push(e)
    const raw = e.time ?? ('local' in e ? e.local : undefined)
    const previous = i > 0 ? this.time[i - 1] : 0
    const t = raw === undefined || raw < previous ? previous : raw
    this.timeCol.push(t)
    this.kindCol.push(KIND_CODE[e.kind])
    this.nodeCol.push('node' in e ? e.node : -1)
    if ('node' in e) {
      this.nodeEvents[e.node]?.push(i)
      if (e.notes !== undefined && e.notes.length > 0) {
        this.noted.push(i)
        for (const n of e.notes) {
          if (n.kind !== 'snapshot.local') continue
          const id = (n.data as { snapshot?: unknown } | undefined)?.snapshot
          if (typeof id !== 'string') continue
          const cut = this.cuts.get(id)
          if (cut) cut.push(i)
          else this.cuts.set(id, [i])
        }
      }
    }
    switch (e.kind) {
      case 'send':
        this.sendOf.set(e.msg, i)
        break
      case 'receive': {
        const span = t - this.time[e.cause]
        if (span > this.maxMessageSpan) this.maxMessageSpan = span
        this.msgSend.push(e.cause)
        this.msgRecv.push(i)
        break
      }
      case 'drop': {
        const send = this.sendOf.get(e.msg)
        if (send === undefined) break
        const span = t - this.time[send]
        if (span > this.maxMessageSpan) this.maxMessageSpan = span
        this.dropSend.push(send)
        this.dropAt.push(i)
        this.dropTo.push(e.to)
        break
      }
      case 'crash':
        this.crashes[e.node]?.push({ start: t, end: Infinity })
        break
      case 'recover': {
        const open = this.crashes[e.node]?.at(-1)
        if (open && open.end === Infinity) open.end = t
        break
      }
      case 'partition': {
        const open = this.partitions.at(-1)
        if (open && open.end === Infinity) open.end = t
        this.partitions.push({ start: t, end: Infinity, groups: e.groups, at: i })
        break
      }
      case 'heal': {
        const open = this.partitions.at(-1)
        if (open && open.end === Infinity) open.end = t
        break
      }
    }
  }
}
