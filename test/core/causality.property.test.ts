// Happens-before, three ways, on random faulty runs: the vector time the
// simulator stamps on each event, the causal graph built from the trace's links
// (checked in turn against a plain transitive closure), and Lamport time. Also the
// algorithms' own stamps (their 'lamport' / 'vector' annotations), the causality
// checker (silent on every real run, loud on a corrupted one).
//
// CLOCKLAB_PROPERTY_RUNS sets the number of random runs (default 3000).
import { afterAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CausalGraph, compareVectors, type Relation } from '../../src/core/causality'
import {
  isProcessEvent,
  type ProcessEvent,
  type Trace,
  type TraceEvent,
} from '../../src/core/trace'
import { causalityChecker } from '../../src/check/causality'
import { checkTrace } from '../../src/check/index'
import { runScenario } from '../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../src/sim/scenario'

const RUNS = Number(process.env.CLOCKLAB_PROPERTY_RUNS ?? 3000)
/** Runs whose causal graph is also checked against a brute-force transitive closure. */
const CLOSURE_RUNS = 300
/** Commands per node per second of the random workload. */
const RATE = 20

const flip: Record<Relation, Relation> = {
  before: 'after',
  after: 'before',
  concurrent: 'concurrent',
  same: 'same',
}

function fail(message: string): never {
  throw new Error(message)
}

const scenarioArb = fc
  .record({
    algorithm: fc.constantFrom('lamport', 'vector'),
    nodes: fc.integer({ min: 2, max: 6 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
    duplicate: fc.double({ min: 0, max: 0.2, noNaN: true }),
    maxDelay: fc.integer({ min: 1, max: 300 }),
    reorder: fc.option(fc.double({ min: 0, max: 0.5, noNaN: true }), { nil: undefined }), // undefined: FIFO
    /** Roughly how many events the run should have. */
    targetEvents: fc.integer({ min: 20, max: 150 }),
    crash: fc.option(
      fc.record({
        node: fc.nat(),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        recoverAfter: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), {
          nil: undefined,
          freq: 4,
        }),
      }),
      { nil: undefined, freq: 2 },
    ),
    partition: fc.option(
      fc.record({
        groupOf: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        healAfter: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { nil: undefined, freq: 2 },
    ),
    mutant: fc.record({
      event: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      field: fc.constantFrom('lamport', 'vc'),
      component: fc.nat(),
      delta: fc.constantFrom(-2, -1, 1, 3),
    }),
  })
  .map((r) => {
    const n = r.nodes
    // Each command makes about two events (an internal event, or command + send + receive/drop).
    const until = Math.max(1, ((r.targetEvents - n) / (2 * n * RATE)) * 1000)
    const faults: ScenarioInput['faults'] = []
    if (r.crash) {
      const node = r.crash.node % n
      const at = r.crash.at * until
      faults.push({ at, crash: node })
      if (r.crash.recoverAfter !== undefined)
        faults.push({ at: at + r.crash.recoverAfter * until, recover: node })
    }
    if (r.partition) {
      const groups = [0, 1, 2]
        .map((g) => r.partition!.groupOf.slice(0, n).flatMap((x, node) => (x === g ? [node] : [])))
        .filter((g) => g.length > 0)
      const at = r.partition.at * until
      faults.push({ at, partition: groups }, { at: at + r.partition.healAfter * until, heal: true })
    }
    const scenario = ScenarioSchema.parse({
      algorithm: r.algorithm,
      nodes: n,
      seed: r.seed,
      until,
      workload: { rate: RATE },
      network: {
        default: {
          delay: { dist: 'uniform', min: 1, max: Math.max(1, r.maxDelay) },
          loss: r.loss,
          duplicate: r.duplicate,
          ...(r.reorder === undefined ? { fifo: true } : { fifo: false, reorder: r.reorder }),
        },
      },
      faults,
    } satisfies ScenarioInput)
    return { scenario, mutant: r.mutant }
  })

/** Brute force: the set of causal ancestors of every process event, by BFS over the trace's links. */
function closure(events: readonly ProcessEvent[]): Map<number, Set<number>> {
  const preds = new Map<number, number[]>()
  const last = new Map<number, number>()
  for (const e of events) {
    const p: number[] = []
    if (last.has(e.node)) p.push(last.get(e.node)!)
    if (e.kind === 'receive') p.push(e.cause)
    preds.set(e.i, p)
    last.set(e.node, e.i)
  }
  const ancestors = new Map<number, Set<number>>()
  for (const e of events) {
    const seen = new Set<number>()
    const queue = [...preds.get(e.i)!]
    while (queue.length > 0) {
      const x = queue.shift()!
      if (seen.has(x)) continue
      seen.add(x)
      queue.push(...preds.get(x)!)
    }
    ancestors.set(e.i, seen)
  }
  return ancestors
}

type Stamp = number | number[]
function stampOf(e: ProcessEvent, kind: string): Stamp | undefined {
  return e.notes?.find((n) => n.kind === kind)?.data as Stamp | undefined
}

function checkRun(trace: Trace, withClosure: boolean): void {
  const events = trace.events.filter(isProcessEvent)
  const graph = new CausalGraph(trace.events)
  const ancestors = withClosure ? closure(events) : undefined
  const m = events.length
  // rel[a * m + b] for a < b (positions in `events`), from the causal graph.
  const rel: Relation[] = new Array(m * m)
  for (let a = 0; a < m; a++) {
    const ea = events[a]
    if (!ea.vc) fail(`event ${ea.i} has no vector time`)
    for (let b = a + 1; b < m; b++) {
      const eb = events[b]
      const r = graph.relation(ea.i, eb.i)
      rel[a * m + b] = r
      if (r === 'same' || r === 'after')
        fail(`graph says ${ea.i} ${r} ${eb.i}, but ${eb.i} comes later in the trace`)
      if (ancestors) {
        const oracle: Relation = ancestors.get(eb.i)!.has(ea.i) ? 'before' : 'concurrent'
        if (r !== oracle)
          fail(`events ${ea.i}, ${eb.i}: CausalGraph says ${r}, transitive closure says ${oracle}`)
        if (graph.relation(eb.i, ea.i) !== flip[r])
          fail(`events ${eb.i}, ${ea.i}: graph relation is not antisymmetric`)
      }
      const v = compareVectors(ea.vc, eb.vc!)
      if (v !== r) fail(`events ${ea.i}, ${eb.i}: vector time says ${v}, causal graph says ${r}`)
      const w = compareVectors(eb.vc!, ea.vc)
      if (w !== flip[r])
        fail(`events ${eb.i}, ${ea.i}: vector time says ${w}, causal graph says ${flip[r]}`)
      // Clock condition for the trace's Lamport time.
      if (r === 'before' && !(ea.lamport < eb.lamport))
        fail(`${ea.i} -> ${eb.i} but Lamport ${ea.lamport} is not below ${eb.lamport}`)
    }
  }

  // Lamport time with a node-id tie-break: a strict total order (no two events share a key)
  // that extends happens-before (every hb pair appears in the same order).
  const order = events
    .map((_, k) => k)
    .sort((x, y) => events[x].lamport - events[y].lamport || events[x].node - events[y].node)
  const rank = new Int32Array(m)
  order.forEach((k, pos) => (rank[k] = pos))
  for (let p = 1; p < m; p++) {
    const x = events[order[p - 1]]
    const y = events[order[p]]
    if (x.lamport === y.lamport && x.node === y.node)
      fail(`events ${x.i} and ${y.i} share Lamport key (${x.lamport}, ${x.node})`)
  }
  for (let a = 0; a < m; a++)
    for (let b = a + 1; b < m; b++)
      if (rel[a * m + b] === 'before' && !(rank[a] < rank[b]))
        fail(`${events[a].i} -> ${events[b].i} but the Lamport total order puts it after`)

  // The algorithm's own stamps, on runs without a crash (a crash wipes a textbook logical clock).
  if (events.some((e) => e.kind === 'crash')) return
  const kind = trace.meta.algorithm
  const stamped: number[] = []
  for (let k = 0; k < m; k++) if (stampOf(events[k], kind) !== undefined) stamped.push(k)
  for (let x = 0; x < stamped.length; x++)
    for (let y = x + 1; y < stamped.length; y++) {
      const a = stamped[x]
      const b = stamped[y]
      const r = rel[a * m + b]
      const sa = stampOf(events[a], kind)!
      const sb = stampOf(events[b], kind)!
      if (kind === 'lamport') {
        if (r === 'before' && !((sa as number) < (sb as number)))
          fail(`${events[a].i} -> ${events[b].i} but the algorithm's stamps are ${sa}, ${sb}`)
      } else {
        const v = compareVectors(sa as number[], sb as number[])
        if (v !== r)
          fail(
            `${events[a].i}, ${events[b].i}: the algorithm's vectors say ${v}, happens-before says ${r}`,
          )
      }
    }
}

/** Corrupts one process event's Lamport or vector time in a copy of the trace. */
function corrupt(
  events: readonly TraceEvent[],
  m: { event: number; field: string; component: number; delta: number },
) {
  const copy = structuredClone(events) as TraceEvent[]
  const proc = copy.filter(isProcessEvent)
  const target = proc[Math.floor(m.event * proc.length)]
  if (m.field === 'lamport') target.lamport += m.delta
  else target.vc![m.component % target.vc!.length] += m.delta
  return { copy, target }
}

describe('causality on random faulty runs', () => {
  const sizes: number[] = []
  let crashed = 0
  let stampChecked = 0
  let ran = 0

  afterAll(() => {
    const mean = sizes.reduce((s, x) => s + x, 0) / Math.max(1, sizes.length)
    console.log(
      `causality property: ${ran} runs (CLOCKLAB_PROPERTY_RUNS=${RUNS}); process events per run min ${Math.min(...sizes)}, ` +
        `mean ${mean.toFixed(1)}, max ${Math.max(...sizes)}; ${crashed} runs with a crash, ${stampChecked} with the algorithm's stamps checked; closure oracle on the first ${Math.min(ran, CLOSURE_RUNS)}`,
    )
  })

  it('vector time = causal graph = transitive closure; Lamport extends it; checkers agree', () => {
    fc.assert(
      fc.property(scenarioArb, ({ scenario, mutant }) => {
        const { trace, verdicts } = runScenario(scenario, { record: true, check: true })
        const t = trace!
        const hasCrash = t.events.some((e) => e.kind === 'crash')
        checkRun(t, ran < CLOSURE_RUNS)
        // The causality checker is silent on every real run; the clock-condition checker too, without crashes.
        for (const v of verdicts!)
          if (!v.ok && (v.checker === 'causality' || !hasCrash))
            fail(`checker ${v.checker}: ${v.violations[0].message} at ${v.violations[0].at}`)
        // ...and it catches a corrupted event, at that event.
        const { copy, target } = corrupt(t.events, mutant)
        const [verdict] = checkTrace(t.meta, copy, [causalityChecker])
        if (verdict.ok) fail(`corrupting ${mutant.field} of event ${target.i} went unnoticed`)
        if (verdict.violations[0].at !== target.i)
          fail(`corrupted event ${target.i}, first violation at ${verdict.violations[0].at}`)
        sizes.push(t.events.filter(isProcessEvent).length)
        if (hasCrash) crashed++
        else stampChecked++
        ran++
      }),
      { numRuns: RUNS },
    )
    expect(ran).toBe(RUNS)
  })
})
