// The two failure detectors measured on runs: detection time after a crash
// against the bounds derived from their rules, false suspicions against the
// delay bound of their accuracy, and what loss and late messages do.
//
// Heartbeat (period P, timeout T, delays in [dmin, dmax], no loss): the crashed
// process's last heartbeat left between P before the crash and the crash; an
// observer suspects it T after that heartbeat arrives. So the detection time is
// in [T - P + dmin, T + dmax]: it can be shorter than T, because the silence
// began before the crash. (A detector that only checked its peers on its own
// period would add up to P to the upper end.)
// Ping: the first round whose ping reaches the crashed process after its crash
// was sent between dmax before the crash and P after it, and is suspected at its
// deadline T later: [T - dmax, T + P].
import { describe, expect, it } from 'vitest'
import { detectMetrics } from '../../../src/lab/metrics/detect'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { simulate, violationsOf } from '../../support/simulate'

const P = 100
const T = 300

function crashRun(
  algorithm: string,
  seed: number,
  network: ScenarioInput['network'],
): ScenarioInput {
  const crashAt = 500 + ((seed * 137) % 1000)
  return {
    algorithm,
    nodes: 4,
    seed,
    until: crashAt + 1500,
    workload: false,
    params: { periodMs: P, timeoutMs: T },
    network,
    faults: [{ at: crashAt, crash: seed % 4 }],
  }
}

const uniform = (min: number, max: number) => ({
  default: { delay: { dist: 'uniform' as const, min, max } },
})

const SEEDS = Array.from({ length: 40 }, (_, k) => k + 1)

describe('detection time on reliable links', () => {
  const cases = [
    { algorithm: 'heartbeat-detector', dmin: 2, dmax: 20, lo: T - P + 2, hi: T + 20 },
    { algorithm: 'ping-detector', dmin: 2, dmax: 20, lo: T - 20, hi: T + P },
  ]
  for (const { algorithm, dmin, dmax, lo, hi } of cases)
    it(`${algorithm}: every live peer suspects the crash within [${lo}, ${hi}] ms`, () => {
      const latencies: number[] = []
      for (const seed of SEEDS) {
        const run = simulate(crashRun(algorithm, seed, uniform(dmin, dmax)))
        const m = detectMetrics(run.trace)
        expect(m.detections).toHaveLength(3)
        for (const d of m.detections) latencies.push(d.latencyMs as number)
        expect(m.falseSuspicions).toEqual([])
        expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
      }
      expect(Math.min(...latencies)).toBeGreaterThanOrEqual(lo)
      expect(Math.max(...latencies)).toBeLessThanOrEqual(hi)
      // The runs spread over the interval: the bounds are not loose by much.
      expect(Math.min(...latencies)).toBeLessThan(lo + (hi - lo) / 4)
      expect(Math.max(...latencies)).toBeGreaterThan(hi - (hi - lo) / 4)
    })

  it('heartbeat: a detection can come sooner than T after the crash', () => {
    const latencies = SEEDS.flatMap((seed) =>
      detectMetrics(
        simulate(crashRun('heartbeat-detector', seed, uniform(2, 20))).trace,
      ).detections.map((d) => d.latencyMs as number),
    )
    expect(latencies.filter((l) => l < T).length).toBeGreaterThan(0)
  })

  it('a recovered process is no longer suspected once its first heartbeat arrives', () => {
    const run = simulate({
      ...crashRun('heartbeat-detector', 1, uniform(2, 20)),
      faults: [
        { at: 600, crash: 2 },
        { at: 1500, recover: 2 },
      ],
    })
    const restores = run.trace.events.filter(
      (e) => 'notes' in e && e.notes?.some((n) => n.kind === 'restore'),
    )
    expect(restores).toHaveLength(3)
    for (const e of restores) expect(e.time).toBeGreaterThan(1500)
    for (const e of restores) expect(e.time).toBeLessThanOrEqual(1520)
  })
})

describe('a pinger that crashes and recovers', () => {
  it('ignores the acks of its previous life still on the wire, and detects the next crash', () => {
    // Node 0's round-10 ping (sent at 900) is acked while node 0 is down; the ack lands
    // after its recovery, when its rounds count from 1 again. Taken at face value, it
    // would vouch for node 1 through round 10, long after node 1's crash at 1100.
    const run = simulate({
      algorithm: 'ping-detector',
      nodes: 3,
      until: 2000,
      workload: false,
      params: { periodMs: P, timeoutMs: T },
      network: { default: { delay: { dist: 'constant', ms: 20 } } },
      faults: [
        { at: 930, crash: 0 },
        { at: 935, recover: 0 },
        { at: 1100, crash: 1 },
      ],
    })
    expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
    const seen = detectMetrics(run.trace).detections.find((d) => d.observer === 0)
    expect(seen?.latencyMs).toBeLessThanOrEqual(T + P)
  })
})

describe('false suspicions', () => {
  it('none with no loss and delays just below the accuracy bound (T - P; T/2 for ping)', () => {
    for (const seed of SEEDS) {
      for (const [algorithm, max] of [
        ['heartbeat-detector', T - P - 1],
        ['ping-detector', T / 2 - 1],
      ] as const) {
        const run = simulate(crashRun(algorithm, seed, uniform(1, max)))
        expect(detectMetrics(run.trace).falseSuspicions, `${algorithm} seed ${seed}`).toEqual([])
        expect(violationsOf(run, 'detector-accuracy')).toEqual([])
      }
    }
  })

  it('heavy loss makes the heartbeat detector suspect live processes; accuracy does not apply', () => {
    const run = simulate({
      ...crashRun('heartbeat-detector', 7, { default: { loss: 0.3 } }),
      until: 5000,
    })
    const { falseSuspicions } = detectMetrics(run.trace)
    expect(falseSuspicions.length).toBeGreaterThan(5)
    // Out of the checker's scope (messages lost), so not flagged; completeness still holds.
    expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
  })

  it('delays beyond the bound also cause them, and also put the run out of accuracy scope', () => {
    const run = simulate({ ...crashRun('heartbeat-detector', 3, uniform(1, 450)), until: 5000 })
    expect(detectMetrics(run.trace).falseSuspicions.length).toBeGreaterThan(0)
    expect(violationsOf(run, 'detector-accuracy')).toEqual([])
  })
})
