// Happens-before on a trace. The causal graph links each process event to the
// previous event on its node and each receive to its send; `relation` answers
// "a before b, b before a, or concurrent?" from those links alone, so it can be
// used to check vector timestamps rather than trust them.
import { isProcessEvent, type ProcessEvent, type TraceEvent } from './trace'

export type Relation = 'before' | 'after' | 'concurrent' | 'same'

/** Compares two vector timestamps. */
export function compareVectors(a: readonly number[], b: readonly number[]): Relation {
  let less = false
  let greater = false
  for (let k = 0; k < a.length; k++) {
    if (a[k] < b[k]) less = true
    else if (a[k] > b[k]) greater = true
  }
  if (less && greater) return 'concurrent'
  if (less) return 'before'
  if (greater) return 'after'
  return 'same'
}

export class CausalGraph {
  /** Process events by trace position `i`. */
  private readonly byIndex = new Map<number, ProcessEvent>()
  /** Immediate causal predecessors of each process event, by `i`. */
  private readonly preds = new Map<number, number[]>()

  constructor(events: Iterable<TraceEvent>) {
    const last = new Map<number, number>()
    for (const e of events) {
      if (!isProcessEvent(e)) continue
      this.byIndex.set(e.i, e)
      const p: number[] = []
      const prev = last.get(e.node)
      if (prev !== undefined) p.push(prev)
      if (e.kind === 'receive') p.push(e.cause)
      this.preds.set(e.i, p)
      last.set(e.node, e.i)
    }
  }

  event(i: number): ProcessEvent {
    const e = this.byIndex.get(i)
    if (e === undefined) throw new RangeError(`no process event ${i} in this trace`)
    return e
  }

  /** Whether event `a` happened before event `b` (both by trace position). */
  happensBefore(a: number, b: number): boolean {
    const ea = this.event(a)
    const eb = this.event(b)
    if (ea.i >= eb.i) return false
    if (ea.node === eb.node) return true
    // Search b's causal past; nothing at or before a's position on another path can lead to a.
    const seen = new Set<number>()
    const stack = [b]
    while (stack.length > 0) {
      const x = stack.pop() as number
      for (const p of this.preds.get(x) ?? []) {
        if (p === a) return true
        if (p < a || seen.has(p)) continue
        const ep = this.byIndex.get(p)
        // Same node as a, later than a: a precedes it in program order.
        if (ep !== undefined && ep.node === ea.node) return true
        seen.add(p)
        stack.push(p)
      }
    }
    return false
  }

  relation(a: number, b: number): Relation {
    if (a === b) return 'same'
    if (this.happensBefore(a, b)) return 'before'
    if (this.happensBefore(b, a)) return 'after'
    return 'concurrent'
  }
}
