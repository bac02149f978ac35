// The messages a trace shows on the wire: each copy from its send to its receive
// or drop, with the delay of every delivered copy, the largest seen, and the
// send time of the oldest copy still in flight (its delay is already at least
// that old). Duplicate copies beyond the first are not followed.
import { isProcessEvent, type TraceEvent, timeOf } from '../../core/trace'

export class InFlight {
  /** Send time of each copy on the wire, keyed by message id and destination. */
  private readonly wire = new Map<number, number>()
  maxDelay = 0

  constructor(private readonly n: number) {}

  /** Follows one event; returns the delay of a copy it delivers. */
  observe(e: TraceEvent): number | undefined {
    if (e.kind === 'drop') {
      this.wire.delete(e.msg * this.n + e.to)
      return undefined
    }
    if (!isProcessEvent(e)) return undefined
    const t = timeOf(e) ?? 0
    if (e.kind === 'send') for (const to of e.to) this.wire.set(e.msg * this.n + to, t)
    if (e.kind !== 'receive') return undefined
    const key = e.msg * this.n + e.node
    const sent = this.wire.get(key)
    if (sent === undefined) return undefined
    this.wire.delete(key)
    const delay = t - sent
    this.maxDelay = Math.max(this.maxDelay, delay)
    return delay
  }

  /** Send time of the oldest copy still on the wire (Infinity if none). */
  oldest(): number {
    let min = Infinity
    for (const t of this.wire.values()) if (t < min) min = t
    return min
  }
}
