// Vector time recomputed from a trace's causal links, for runs recorded
// without it (meta.vectorTime false): a receive first merges in the vector of
// the send it delivers, then every event ticks its node's own entry, as the
// simulator does. Memory is bounded by the run's width, not its length: one
// current vector per node, plus the vector of each message still in flight,
// forgotten once every copy of it has been received or dropped (the trace
// records a drop for each lost copy and a duplicate for each extra copy).
import type { TraceEvent } from '../../core/trace'

interface InFlight {
  vc: Int32Array
  /** Copies not yet received or dropped. */
  copies: number
}

export class VectorTime {
  private readonly current: Int32Array[]
  /** By message id. */
  private readonly sent = new Map<number, InFlight>()

  constructor(nodeCount: number) {
    this.current = Array.from({ length: nodeCount }, () => new Int32Array(nodeCount))
  }

  /** Messages whose vector is still kept: sent, and not every copy received or dropped. */
  get inFlight(): number {
    return this.sent.size
  }

  /**
   * Takes the trace's next event (every event, in order: network events account
   * for copies). For a process event, returns its vector time, valid until the next call.
   */
  readonly next = (e: TraceEvent): ArrayLike<number> | undefined => {
    switch (e.kind) {
      case 'duplicate':
        this.count(e.msg, +1)
        return undefined
      case 'drop':
        this.count(e.msg, -1)
        return undefined
      case 'partition':
      case 'heal':
        return undefined
    }
    const vc = this.current[e.node]
    if (e.kind === 'receive') {
      const sent = this.sent.get(e.msg)
      if (sent === undefined)
        throw new Error(`event ${e.i}: message ${e.msg} is received more often than it was sent`)
      for (let k = 0; k < vc.length; k++) if (sent.vc[k] > vc[k]) vc[k] = sent.vc[k]
      this.count(e.msg, -1)
    }
    vc[e.node]++
    if (e.kind === 'send') this.sent.set(e.msg, { vc: vc.slice(), copies: e.to.length })
    return vc
  }

  private count(msg: number, delta: number): void {
    const m = this.sent.get(msg)
    if (m === undefined) return
    m.copies += delta
    if (m.copies === 0) this.sent.delete(msg)
  }
}
