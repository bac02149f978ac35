// Test helpers shared by the algorithm families: run a scenario with the checkers
// (keeping the trace or not; optionally with a stand-in algorithm, for mutants),
// and find annotated events in the trace.
import type { Verdict, Violation } from '../../src/check/checker'
import { checkTrace } from '../../src/check/index'
import type { AnyAlgorithm } from '../../src/core/process'
import {
  isProcessEvent,
  type ProcessEvent,
  type Trace,
  type TraceEvent,
} from '../../src/core/trace'
import { createSimulator, runScenario } from '../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../src/sim/scenario'
import { Simulator, type SimStats } from '../../src/sim/simulator'

/** Runs a scenario through the registry, with every applicable checker online; no trace kept. */
export function check(input: ScenarioInput): { verdicts: Verdict[]; stats: SimStats } {
  const r = runScenario(ScenarioSchema.parse(input), { check: true })
  return { verdicts: r.verdicts as Verdict[], stats: r.stats }
}

export interface Run {
  trace: Trace
  verdicts: Verdict[]
}

/** Runs a scenario through the registry, with every applicable checker online. */
export function simulate(input: ScenarioInput): Run {
  const r = runScenario(ScenarioSchema.parse(input), { check: true, record: true })
  return { trace: r.trace as Trace, verdicts: r.verdicts as Verdict[] }
}

/**
 * Runs a scenario with `algorithm` in place of the registered one of the same
 * name (params and commands still validated by the registered one's schemas),
 * then checks the trace offline.
 */
export function simulateWith(algorithm: AnyAlgorithm, input: ScenarioInput): Run {
  const scenario = ScenarioSchema.parse({ ...input, algorithm: algorithm.name })
  const params = createSimulator(scenario).meta.params
  const events: TraceEvent[] = []
  const sim = new Simulator(scenario, algorithm, { sinks: [(e) => events.push(e)], params })
  sim.run()
  const trace: Trace = {
    format: 'clocklab-trace',
    version: 1,
    meta: sim.meta,
    events,
  }
  return { trace, verdicts: checkTrace(sim.meta, events) }
}

export function violationsOf(run: { verdicts: Verdict[] }, checker: string): Violation[] {
  return run.verdicts.find((v) => v.checker === checker)?.violations ?? []
}

/** Process events carrying a note of `kind`, in trace order. */
export function noted(trace: Trace, kind: string, node?: number): ProcessEvent[] {
  return trace.events.filter(
    (e): e is ProcessEvent =>
      isProcessEvent(e) &&
      (node === undefined || e.node === node) &&
      (e.notes ?? []).some((n) => n.kind === kind),
  )
}

/** The events where `node` made a note of `kind` whose data has this `id`. */
export function notedWithId(trace: Trace, kind: string, id: string, node?: number): ProcessEvent[] {
  return trace.events.filter(
    (e): e is ProcessEvent =>
      isProcessEvent(e) &&
      (node === undefined || e.node === node) &&
      (e.notes ?? []).some((n) => n.kind === kind && (n.data as { id?: string })?.id === id),
  )
}
