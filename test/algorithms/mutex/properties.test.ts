// Property tests for the mutex family: over CLOCKLAB_SEEDS seeds (default 2000)
// per algorithm, each seed a random run drawn from the seed within the faults the
// algorithm tolerates, the checkers find no violation of mutual exclusion,
// progress or (for the fair algorithms) no-starvation, and every request is
// served before the run ends.
//
// Faults per algorithm (each file's top comment states its assumptions): every
// algorithm gets delay spikes (a link's delay table holds a few 50-300 ms
// samples among 1-10 ms ones, and one link may be slow throughout) and
// non-FIFO links with reordering: none of the five needs FIFO, and the token
// algorithms have a single token in flight. Only majority voting, which numbers
// its attempts, also gets duplicated messages; the others assume no duplicates.
// None gets loss, partitions or crashes: the textbook versions assume reliable
// links and processes (the crash tests show what happens otherwise).
import { describe, expect, it } from 'vitest'
import { Rng } from '../../../src/core/random'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { mutexMetrics } from '../../../src/lab/metrics/mutex'
import { between, SEEDS } from '../../support/random-runs'
import { simulate } from '../../support/simulate'

/** The workload stops here; the run goes on until every request is served. */
const WORKLOAD_UNTIL = 1000

interface Family {
  algorithm: string
  duplicates: boolean
  /** Run length: quiescent algorithms stop early; a token ring circulates until the end. */
  until: number
  params(rng: Rng, nodes: number): Record<string, unknown>
}

const families: Family[] = [
  {
    algorithm: 'mutex-central',
    duplicates: false,
    until: 20_000,
    params: (rng, nodes) => ({ holdMs: between(rng, 0, 30), coordinator: rng.int(nodes) }),
  },
  {
    algorithm: 'ricart-agrawala',
    duplicates: false,
    until: 20_000,
    params: (rng) => ({ holdMs: between(rng, 0, 30) }),
  },
  {
    algorithm: 'token-ring',
    duplicates: false,
    until: 8_000,
    params: (rng) => ({ holdMs: between(rng, 0, 30), passDelayMs: between(rng, 5, 20) }),
  },
  {
    algorithm: 'suzuki-kasami',
    duplicates: false,
    until: 20_000,
    params: (rng) => ({ holdMs: between(rng, 0, 30) }),
  },
  {
    algorithm: 'mutex-majority',
    duplicates: true,
    until: 20_000,
    params: (rng, nodes) => ({
      holdMs: between(rng, 0, 30),
      coordinators: 1 + rng.int(nodes),
      timeoutMs: between(rng, 30, 150),
      backoffMs: between(rng, 5, 80),
    }),
  },
]

/** A random run of `f.algorithm`, drawn from `seed` alone. */
function randomScenario(f: Family, seed: number): ScenarioInput {
  const rng = Rng.fromSeed(seed)
  const nodes = 2 + rng.int(4)
  const samples = Array.from({ length: 8 }, () => between(rng, 1, 10))
  const spikes = Array.from({ length: rng.int(3) }, () => between(rng, 50, 300))
  const slow = rng.float() < 0.5
  const from = rng.int(nodes)
  return {
    algorithm: f.algorithm,
    nodes,
    seed,
    until: f.until,
    params: f.params(rng, nodes),
    network: {
      default: {
        delay: { dist: 'table', samples: [...samples, ...spikes] },
        fifo: false,
        reorder: between(rng, 0, 0.3),
        duplicate: f.duplicates ? between(rng, 0, 0.2) : 0,
      },
      links: slow
        ? [
            {
              from,
              to: (from + 1 + rng.int(nodes - 1)) % nodes,
              delay: { dist: 'uniform', min: 20, max: 200 },
            },
          ]
        : [],
    },
    workload: { rate: between(rng, 5, 50), until: WORKLOAD_UNTIL },
  }
}

describe('mutex algorithms over random runs with the faults they tolerate', () => {
  for (const f of families) {
    it(`${f.algorithm}: no violation and every request served`, () => {
      console.log(`mutex ${f.algorithm}: ${SEEDS} seeds`)
      const failures: string[] = []
      let entries = 0
      for (let seed = 1; seed <= SEEDS && failures.length < 5; seed++) {
        const run = simulate(randomScenario(f, seed))
        for (const v of run.verdicts)
          for (const x of v.violations)
            failures.push(`seed ${seed}: ${v.checker} at ${x.at}: ${x.message}`)
        const requests = mutexMetrics(run.trace).requests
        const unserved = requests.filter((r) => r.enter === undefined)
        if (unserved.length > 0)
          failures.push(
            `seed ${seed}: ${unserved.length} request(s) never served, first at ${unserved[0].request}`,
          )
        entries += requests.length - unserved.length
      }
      expect(failures).toEqual([])
      expect(entries).toBeGreaterThan(SEEDS)
    })
  }
})
