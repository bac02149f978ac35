// Property tests for the failure detectors: over CLOCKLAB_SEEDS seeds (default
// 2000) per detector, each seed a random run within the detector's assumptions,
// no checker finds a violation (completeness, accuracy) and the run shows no
// false suspicion at all.
//
// Drawn from the seed: 3-6 processes; period P and timeout T; reliable links
// (no loss, no partition) with delays up to 95% of the accuracy bound (T - P for
// heartbeats, T/2 for pings), from a table that mixes short delays with spikes
// near that maximum; clocks off by up to 200 ppm; up to 10 crashes and
// recoveries of any process in the first 2.5 s. The run then goes on for twice
// P + T, so that completeness is judged for every process that stays crashed.
import { describe, expect, it } from 'vitest'
import { Rng } from '../../../src/core/random'
import { detectMetrics } from '../../../src/lab/metrics/detect'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { between, delaysBelow, randomFaults, SEEDS } from '../../support/random-runs'
import { simulate } from '../../support/simulate'

const FAULTS_UNTIL = 2500

function randomRun(algorithm: 'heartbeat-detector' | 'ping-detector', seed: number): ScenarioInput {
  const rng = Rng.fromSeed(seed)
  const nodes = 3 + rng.int(4)
  const periodMs = between(rng, 30, 120)
  const timeoutMs = periodMs * between(rng, 1.5, 4)
  const bound = algorithm === 'heartbeat-detector' ? timeoutMs - periodMs : timeoutMs / 2
  const dmax = 0.95 * bound
  const samples = delaysBelow(rng, dmax)
  return {
    algorithm,
    nodes,
    seed,
    until: FAULTS_UNTIL + 2 * (periodMs + timeoutMs) + 100,
    workload: false,
    params: { periodMs, timeoutMs },
    network: { default: { delay: { dist: 'table', samples } } },
    clocks: { default: { skewPpm: between(rng, -200, 200) } },
    faults: randomFaults(rng, { nodes, count: rng.int(11), from: 100, to: FAULTS_UNTIL, minUp: 1 }),
  }
}

describe('failure detectors: random crash-recovery runs within the assumptions', () => {
  for (const algorithm of ['heartbeat-detector', 'ping-detector'] as const)
    it(`${algorithm}: complete and accurate on every seed`, () => {
      console.log(`detect ${algorithm}: ${SEEDS} seeds`)
      let detections = 0
      for (let seed = 1; seed <= SEEDS; seed++) {
        const run = simulate(randomRun(algorithm, seed))
        const failed = run.verdicts.filter((v) => !v.ok)
        expect(failed, `seed ${seed}`).toEqual([])
        const m = detectMetrics(run.trace)
        expect(m.falseSuspicions, `seed ${seed}`).toEqual([])
        detections += m.detections.filter((d) => d.suspectedAt !== undefined).length
      }
      // The schedules do crash processes, and the detectors do see it.
      expect(detections).toBeGreaterThan(SEEDS)
    }, 600_000)
})
