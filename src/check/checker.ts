// The checker contract: a property of a run, checked event by event as the trace
// grows (online, flagging a violation at the event where it happens) and at the
// end (properties such as progress that only a finished run can decide).
import type { TraceEvent, TraceMeta } from '../core/trace'

export interface Violation {
  checker: string
  /** Trace position of the event where the property broke (-1: the run as a whole). */
  at: number
  message: string
}

export interface Checker {
  onEvent(e: TraceEvent): Violation[] | undefined
  finish(): Violation[]
}

export interface CheckerSpec {
  readonly name: string
  /** What the property says, in a sentence a student understands. */
  readonly description: string
  appliesTo(meta: TraceMeta): boolean
  create(meta: TraceMeta): Checker
}

export interface Verdict {
  checker: string
  description: string
  ok: boolean
  violations: Violation[]
}
