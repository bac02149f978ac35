// What the engine's run store and a run worker say to each other: the one job a worker is
// sent once it has booted, and the messages it posts back (the run's meta, batches of
// events, the end).
import type { Verdict } from '../../check/checker'
import type { TraceEvent, TraceMeta } from '../../core/trace'
import type { Scenario } from '../../sim/scenario'
import type { SimStats } from '../../sim/simulator'

export type WorkerJob =
  { kind: 'simulate'; scenario: Scenario } | { kind: 'open'; text: string; fileName: string }

/** A source worker's `workerData`: the module its boot file loads. */
export interface WorkerBoot {
  entry: string
}

export type WorkerMessage =
  /** The job is valid and under way; `until` is the time its last event may have. */
  | { type: 'meta'; meta: TraceMeta; until: number }
  | { type: 'events'; events: TraceEvent[] }
  | { type: 'done'; stats?: SimStats; verdicts: Verdict[] }
  /** `input`: the job itself was bad (a scenario the algorithm rejects, a corrupt file). */
  | { type: 'error'; message: string; input: boolean }
