// Who is up, and since when, read off a trace's start, recover and crash events:
// what the failure-detector and election checkers judge suspicions and leaders
// against. Times are true time (a live trace's local clock readings instead).
import type { NodeId } from '../../core/process'
import { isProcessEvent, type TraceEvent, timeOf } from '../../core/trace'

export class Liveness {
  readonly up: boolean[]
  /** Time of each node's latest start or recovery (while up) or crash (while down). */
  readonly since: number[]
  /** Trace position of that event (-1 before it). */
  readonly sinceEvent: number[]

  constructor(n: number) {
    this.up = new Array<boolean>(n).fill(false)
    this.since = new Array<number>(n).fill(0)
    this.sinceEvent = new Array<number>(n).fill(-1)
  }

  /** Follows one event; true when it started, recovered or crashed a node. */
  observe(e: TraceEvent): boolean {
    if (!isProcessEvent(e) || (e.kind !== 'start' && e.kind !== 'recover' && e.kind !== 'crash'))
      return false
    this.up[e.node] = e.kind !== 'crash'
    this.since[e.node] = timeOf(e) ?? 0
    this.sinceEvent[e.node] = e.i
    return true
  }

  /** Whether `node` is up and has been since `time` or earlier. */
  upSince(node: NodeId, time: number): boolean {
    return this.up[node] && this.since[node] <= time
  }

  /** Whether `node` is up and has been since before the event at trace position `i`. */
  upSinceEvent(node: NodeId, i: number): boolean {
    return this.up[node] && this.sinceEvent[node] < i
  }
}
