// Property tests for the elections: over CLOCKLAB_SEEDS seeds (default 2000)
// per algorithm, each seed a random run within what the algorithm assumes, no
// checker finds a violation: one leader per round (and, for bully, only a
// process with no higher one up throughout its election wins), the detector's
// completeness and accuracy, and agreement on the highest live process once the
// run is quiet.
//
// What both elections assume, and so what the runs hold: reliable links (no
// loss, no partition, no duplicates) and a detector that does not suspect live
// processes, i.e. delays below its accuracy bound (T - P for heartbeats, T/2
// for pings); bully also needs every delay below A/2. Drawn from the seed: 3-6
// processes; the detector (heartbeat or ping), P, T, and the election timeouts
// (A and C for bully, R for the ring) sized from a maximum delay dmax of 2-30
// ms; delays from a table mixing short ones with spikes up to dmax; clocks off
// by up to 200 ppm; up to 10 crashes and recoveries in the first 2.5 s, half the
// crashes hitting the highest process up (the coordinator, once elections
// settle); then a quiet stretch as long as the settle time the agreement
// checker derives from these parameters (election/notes.ts).
import { describe, expect, it } from 'vitest'
import { settleTime } from '../../../src/algorithms/election/notes'
import { Rng } from '../../../src/core/random'
import { electionMetrics } from '../../../src/lab/metrics/election'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { between, delaysBelow, randomFaults, SEEDS } from '../../support/random-runs'
import { simulate } from '../../support/simulate'

const FAULTS_UNTIL = 2500

function randomRun(algorithm: 'bully' | 'ring-election', seed: number): ScenarioInput {
  const rng = Rng.fromSeed(seed)
  const nodes = 3 + rng.int(4)
  const dmax = between(rng, 2, 30)
  const detector = rng.float() < 0.5 ? 'heartbeat' : 'ping'
  const periodMs = between(rng, 30, 80)
  const timeoutMs =
    detector === 'heartbeat'
      ? periodMs + dmax * between(rng, 1.05, 3)
      : Math.max(periodMs, 2 * dmax) * between(rng, 1.05, 2)
  const answerTimeoutMs = 2 * dmax * between(rng, 1.05, 2)
  const params =
    algorithm === 'bully'
      ? {
          detector,
          periodMs,
          timeoutMs,
          answerTimeoutMs,
          coordinatorTimeoutMs: 2 * answerTimeoutMs + 4 * dmax,
        }
      : {
          detector,
          periodMs,
          timeoutMs,
          electionTimeoutMs: 3 * nodes * dmax * between(rng, 1.5, 3) + 50,
        }
  const samples = delaysBelow(rng, dmax)
  const faults = randomFaults(rng, {
    nodes,
    count: rng.int(11),
    from: 200,
    to: FAULTS_UNTIL,
    minUp: 1,
    highestBias: 0.5,
  })
  return {
    algorithm,
    nodes,
    seed,
    until: FAULTS_UNTIL + (settleTime(algorithm, params, nodes, dmax) as number) + 100,
    workload: false,
    params,
    network: { default: { delay: { dist: 'table', samples } } },
    clocks: { default: { skewPpm: between(rng, -200, 200) } },
    faults,
  }
}

describe('elections: random crash-recovery runs within the assumptions', () => {
  for (const algorithm of ['bully', 'ring-election'] as const)
    it(`${algorithm}: no violation, and agreement on the highest live process`, () => {
      console.log(`election ${algorithm}: ${SEEDS} seeds`)
      let elections = 0
      for (let seed = 1; seed <= SEEDS; seed++) {
        const run = simulate(randomRun(algorithm, seed))
        const failed = run.verdicts.filter((v) => !v.ok)
        expect(failed, `seed ${seed}`).toEqual([])
        elections += electionMetrics(run.trace).elections
      }
      // The schedules do make the processes elect.
      expect(elections).toBeGreaterThan(SEEDS)
    }, 600_000)
})
