// Test helpers for the broadcast family: random runs drawn from a seed within an
// algorithm's assumptions (its links and the crashes it tolerates), runs with a
// stand-in algorithm for mutants, and lookups in a recorded trace.
import type { Verdict, Violation } from '../../../src/check/checker'
import { checkTrace } from '../../../src/check/index'
import { SETTLE_MS } from '../../../src/check/broadcast/agreement'
import type { AnyAlgorithm, NodeId } from '../../../src/core/process'
import { Rng } from '../../../src/core/random'
import {
  isProcessEvent,
  type ProcessEvent,
  type Trace,
  type TraceEvent,
} from '../../../src/core/trace'
import { createSimulator, runScenario } from '../../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../../src/sim/scenario'
import { Simulator, type SimStats } from '../../../src/sim/simulator'

export const SEEDS = Number(process.env.CLOCKLAB_SEEDS ?? 2000)

/** What an algorithm assumes of its environment, as its top comment states. */
export interface Assumptions {
  /** Fair-loss links: loss, duplication and healed partitions; otherwise reliable links. */
  fairLoss: boolean
  /** FIFO links only; otherwise links may reorder. */
  fifo: boolean
  /** Which processes may crash (stop). */
  crashes: 'none' | 'any' | 'not-node-0'
}

/** The workload broadcasts until here; the run then settles, and a last broadcast ends it. */
const WORKLOAD_UNTIL = 500
const UNTIL = WORKLOAD_UNTIL + SETTLE_MS + 100

const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.float()

/** A random run of `algorithm` within `a`, drawn from `seed` alone. */
export function randomScenario(algorithm: string, a: Assumptions, seed: number): ScenarioInput {
  const rng = Rng.fromSeed(seed)
  const nodes = 3 + rng.int(3)
  const fifo = a.fifo || rng.float() < 0.3
  // Mostly 1-10 ms, with a few delay spikes of 50-200 ms in the table half the time.
  const samples = Array.from({ length: 8 }, () => between(rng, 1, 10))
  if (rng.float() < 0.5)
    samples.push(...Array.from({ length: 1 + rng.int(2) }, () => between(rng, 50, 200)))
  const crashable = Array.from({ length: nodes }, (_, k) => k).filter(
    (k) => a.crashes === 'any' || (a.crashes === 'not-node-0' && k !== 0),
  )
  const faults: ScenarioInput['faults'] = []
  const crashed: NodeId[] = []
  for (let c = rng.int(nodes - 1); c > 0 && crashable.length > 0; c--) {
    const [k] = crashable.splice(rng.int(crashable.length), 1)
    crashed.push(k)
    faults.push({ at: between(rng, 0, WORKLOAD_UNTIL), crash: k })
  }
  if (a.fairLoss && rng.float() < 0.3) {
    const at = between(rng, 0, WORKLOAD_UNTIL)
    const cut = 1 + rng.int(nodes - 1)
    faults.push({ at, partition: [Array.from({ length: cut }, (_, k) => k)] })
    faults.push({ at: at + between(rng, 10, 300), heal: true })
  }
  const last = Array.from({ length: nodes }, (_, k) => k).find((k) => !crashed.includes(k)) ?? 0
  return {
    algorithm,
    nodes,
    seed,
    until: UNTIL,
    network: {
      default: {
        delay: { dist: 'table', samples },
        loss: a.fairLoss ? between(rng, 0, 0.3) : 0,
        duplicate: a.fairLoss ? between(rng, 0, 0.2) : 0,
        fifo,
        reorder: fifo ? 0 : between(rng, 0, 0.5),
      },
    },
    faults,
    workload: { rate: between(rng, 5, 20), until: WORKLOAD_UNTIL },
    // Marks the end of the run, so the agreement checker judges every workload message.
    commands: [{ at: UNTIL - 1, node: last, command: { kind: 'broadcast' } }],
  }
}

/** Runs through the registry with every applicable checker online; no trace kept. */
export function check(input: ScenarioInput): { verdicts: Verdict[]; stats: SimStats } {
  const r = runScenario(ScenarioSchema.parse(input), { check: true })
  return { verdicts: r.verdicts as Verdict[], stats: r.stats }
}

export interface Run {
  trace: Trace
  verdicts: Verdict[]
}

/** Runs through the registry with the checkers, keeping the trace. */
export function simulate(input: ScenarioInput): Run {
  const r = runScenario(ScenarioSchema.parse(input), { check: true, record: true })
  return { trace: r.trace as Trace, verdicts: r.verdicts as Verdict[] }
}

/** Runs with `algorithm` in place of the registered one of the same name, then checks the trace. */
export function simulateWith(algorithm: AnyAlgorithm, input: ScenarioInput): Run {
  const scenario = ScenarioSchema.parse({ ...input, algorithm: algorithm.name })
  const params = createSimulator(scenario).meta.params
  const events: TraceEvent[] = []
  const sim = new Simulator(scenario, algorithm, { sinks: [(e) => events.push(e)], params })
  sim.run()
  return {
    trace: { format: 'clocklab-trace', version: 1, meta: sim.meta, events },
    verdicts: checkTrace(sim.meta, events),
  }
}

export function violationsOf(run: { verdicts: Verdict[] }, checker: string): Violation[] {
  return run.verdicts.find((v) => v.checker === checker)?.violations ?? []
}

/** The events where `node` made a note of `kind` whose data has this `id`. */
export function notedWithId(trace: Trace, kind: string, id: string, node?: NodeId): ProcessEvent[] {
  return trace.events.filter(
    (e): e is ProcessEvent =>
      isProcessEvent(e) &&
      (node === undefined || e.node === node) &&
      (e.notes ?? []).some((n) => n.kind === kind && (n.data as { id?: string })?.id === id),
  )
}
