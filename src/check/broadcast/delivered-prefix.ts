// What each process has delivered of each origin's broadcasts, by their place in
// the origin's send order: the length of the gap-free prefix delivered so far.
// Used by the FIFO and causal order checkers.
import type { NodeId } from '../../core/process'

export class DeliveredPrefix {
  /** [node][origin]: places delivered beyond the prefix. */
  private readonly beyond: Set<number>[][]
  /** [node][origin]: the first place not delivered yet. */
  private readonly first: number[][]

  constructor(n: number) {
    this.beyond = Array.from({ length: n }, () => Array.from({ length: n }, () => new Set()))
    this.first = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  }

  /** The first of `origin`'s messages (by send order) that `node` has not delivered. */
  next(node: NodeId, origin: NodeId): number {
    return this.first[node][origin]
  }

  add(node: NodeId, origin: NodeId, place: number): void {
    const beyond = this.beyond[node][origin]
    if (place < this.first[node][origin]) return
    beyond.add(place)
    let f = this.first[node][origin]
    while (beyond.delete(f)) f++
    this.first[node][origin] = f
  }
}
