// The checkers the lab knows, and the two ways to run them: online, fed each
// event as it happens, or offline over a finished trace.
import type { TraceEvent, TraceMeta } from '../core/trace'
import { broadcastCheckers } from './broadcast'
import type { Checker, CheckerSpec, Verdict, Violation } from './checker'
import { causalityChecker } from './causality'
import { lamportClockCondition, vectorClockCondition } from './clock-condition'
import { detectCheckers } from './detect'
import { electionCheckers } from './election'
import { mutexCheckers } from './mutex'
import { raftCheckers } from './raft'
import { snapshotCheckers } from './snapshot'
import { syncCheckers } from './sync'

export const checkers: readonly CheckerSpec[] = [
  causalityChecker,
  lamportClockCondition,
  vectorClockCondition,
  ...mutexCheckers,
  ...broadcastCheckers,
  ...snapshotCheckers,
  ...detectCheckers,
  ...electionCheckers,
  ...raftCheckers,
  ...syncCheckers,
]

/** Runs every applicable checker alongside a run; `verdicts()` after the last event. */
export class OnlineChecks {
  private readonly active: { spec: CheckerSpec; checker: Checker; violations: Violation[] }[]

  constructor(meta: TraceMeta, specs: readonly CheckerSpec[] = checkers) {
    this.active = specs
      .filter((s) => s.appliesTo(meta))
      .map((spec) => ({ spec, checker: spec.create(meta), violations: [] }))
  }

  readonly onEvent = (e: TraceEvent): void => {
    for (const a of this.active) {
      const v = a.checker.onEvent(e)
      if (v !== undefined) a.violations.push(...v)
    }
  }

  verdicts(): Verdict[] {
    return this.active.map(({ spec, checker, violations }) => {
      const all = [...violations, ...checker.finish()]
      return {
        checker: spec.name,
        description: spec.description,
        ok: all.length === 0,
        violations: all,
      }
    })
  }
}

export function checkTrace(
  meta: TraceMeta,
  events: Iterable<TraceEvent>,
  specs: readonly CheckerSpec[] = checkers,
): Verdict[] {
  const online = new OnlineChecks(meta, specs)
  for (const e of events) online.onEvent(e)
  return online.verdicts()
}
