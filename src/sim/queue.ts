// The simulator's event queue: a binary min-heap ordered by (time, insertion
// number). The second key is what makes a run reproducible: two events due at
// the same instant always come out in the order they were scheduled. Generic
// heaps order equal keys arbitrarily, hence this small one.

export interface Scheduled {
  time: number
  order: number
}

export class EventQueue<T extends Scheduled> {
  private heap: T[] = []
  private counter = 0

  get size(): number {
    return this.heap.length
  }

  /** Schedules `item` at `item.time`; its tie-break order is assigned here. */
  push(item: T): void {
    item.order = this.counter++
    const h = this.heap
    let k = h.length
    h.push(item)
    while (k > 0) {
      const p = (k - 1) >> 1
      const parent = h[p]
      if (parent.time < item.time || (parent.time === item.time && parent.order < item.order)) break
      h[k] = parent
      k = p
    }
    h[k] = item
  }

  pop(): T | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      const n = h.length
      let k = 0
      for (;;) {
        let c = 2 * k + 1
        if (c >= n) break
        const r = c + 1
        if (r < n && before(h[r], h[c])) c = r
        if (!before(h[c], last)) break
        h[k] = h[c]
        k = c
      }
      h[k] = last
    }
    return top
  }

  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0].time : Infinity
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.time < b.time || (a.time === b.time && a.order < b.order)
}
