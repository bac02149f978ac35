// NTP, piece by piece: the four-timestamp arithmetic, the clock filter, source
// selection (intersection, clustering, combining), the discipline loop, and the
// whole algorithm driven by the simulator: the stratum hierarchy with a
// falseticker, symmetric peers as a fallback, broadcast mode, iburst, and the
// frequency kept in stable storage across a crash.
import { describe, expect, it } from 'vitest'
import type { ClockDiscipline } from '../../../src/core/process'
import type { ProcessEvent, TraceEvent } from '../../../src/core/trace'
import { notesOf } from '../../../src/core/trace'
import { loadScenarioFile } from '../../../src/lab/scenarios'
import { clockSamples, OffsetTracks, sampleError } from '../../../src/lab/metrics/sync'
import { filterAdd, filterShift, newFilter } from '../../../src/algorithms/sync/ntp/filter'
import {
  criticalFrequencyGain,
  LoopParamsSchema,
  loopUpdate,
  newLoop,
  type LoopContext,
} from '../../../src/algorithms/sync/ntp/loop'
import { NtpParamsSchema } from '../../../src/algorithms/sync/ntp/ntp'
import { ntpDelay, ntpOffset } from '../../../src/algorithms/sync/ntp/packet'
import {
  cluster,
  combine,
  intersection,
  truechimers,
  type Candidate,
} from '../../../src/algorithms/sync/ntp/select'
import { minNodes, strata } from '../../../src/algorithms/sync/ntp/topology'
import { runScenario } from '../../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../../src/sim/scenario'
import { DisciplineParamsSchema, policyFor } from '../../../src/time/discipline/policy'

function run(input: ScenarioInput): TraceEvent[] {
  const events: TraceEvent[] = []
  runScenario(ScenarioSchema.parse({ workload: false, ...input }), {
    sinks: [(e) => events.push(e)],
  })
  return events
}

const ofNode = (events: TraceEvent[], node: number) =>
  events.filter((e): e is ProcessEvent => 'node' in e && e.node === node)

describe('the on-wire arithmetic', () => {
  it('offset and delay from T1..T4: a server 5 ms ahead, 3 ms out, 7 ms back, held 1 ms', () => {
    // True times: sent 0, arrives 3, leaves 4, back at 11. Server reads +5.
    const [t1, t2, t3, t4] = [0, 3 + 5, 4 + 5, 11]
    expect(ntpDelay(t1, t2, t3, t4)).toBe(10)
    // θ errs by the asymmetry: (3 − 7)/2 = −2.
    expect(ntpOffset(t1, t2, t3, t4)).toBe(5 - 2)
  })
})

describe('the clock filter', () => {
  it('gives the lowest-delay sample of the last 8, each one only once', () => {
    const f = newFilter()
    expect(filterAdd(f, { offset: 1, delay: 9, disp: 0, t: 0 }, 0, 0)?.offset).toBe(1)
    expect(filterAdd(f, { offset: 2, delay: 3, disp: 0, t: 1 }, 1, 0)?.offset).toBe(2)
    // A longer delay: the best is still the one already used.
    expect(filterAdd(f, { offset: 3, delay: 5, disp: 0, t: 2 }, 2, 0)).toBeUndefined()
    for (let k = 3; k < 10; k++) filterAdd(f, { offset: k, delay: 5, disp: 0, t: k }, k, 0)
    // Eight later samples pushed the delay-3 one out.
    expect(f.samples).toHaveLength(8)
    expect(f.samples.some((s) => s.delay === 3)).toBe(false)
  })

  it('ages samples at the skew bound, so a fresh one beats a slightly shorter old one', () => {
    const f = newFilter()
    filterAdd(f, { offset: 1, delay: 2, disp: 0, t: 0 }, 0, 15)
    // 100 s later the old one has grown 1.5 ms; a 2.5 ms delay (1.25 ms half) wins.
    expect(filterAdd(f, { offset: 7, delay: 2.5, disp: 0, t: 100_000 }, 100_000, 15)?.offset).toBe(
      7,
    )
  })

  it('jitter is the RMS spread around the best, and a correction moves every stored offset', () => {
    const f = newFilter()
    filterAdd(f, { offset: 0, delay: 1, disp: 0, t: 0 }, 0, 0)
    const out = filterAdd(f, { offset: 10, delay: 0.5, disp: 0, t: 1 }, 1, 0)!
    expect(out.jitter).toBe(10)
    filterShift(f, 4)
    expect(f.samples.map((s) => s.offset)).toEqual([6, -4])
  })
})

describe('selection', () => {
  const c = (id: number, offset: number, distance: number, jitter = 0.1): Candidate => ({
    id,
    offset,
    distance,
    jitter,
  })

  it('finds the majority interval and leaves a falseticker out', () => {
    const cands = [c(0, 0, 1), c(1, 0.5, 1), c(2, 50, 1)]
    expect(intersection(cands)).toEqual({ low: -0.5, high: 1 })
    expect(truechimers(cands).map((x) => x.id)).toEqual([0, 1])
  })

  it('with no majority there are no truechimers', () => {
    expect(truechimers([c(0, 0, 1), c(1, 10, 1)])).toEqual([])
    expect(truechimers([c(0, 0, 1), c(1, 10, 1), c(2, 20, 1)])).toEqual([])
  })

  it("two candidates agree only if each one's offset lies in the other's interval", () => {
    // Touching intervals share a point, but each midpoint is outside the other: no majority.
    expect(intersection([c(0, 0, 1), c(1, 2, 1)])).toBeUndefined()
    expect(intersection([c(0, 0, 2), c(1, 2, 2)])).toEqual({ low: 0, high: 2 })
    expect(truechimers([c(5, 3, 0.5)]).map((x) => x.id)).toEqual([5])
  })

  it('clustering drops the farthest survivor down to three, unless the spread is below the jitter', () => {
    const five = [c(0, 0, 1), c(1, 0.1, 1.1), c(2, -0.1, 1.2), c(3, 0.9, 1.3), c(4, 0.05, 1.4)]
    // 0.9 is farthest from the rest; then −0.1 (RMS 0.155 ms from the others, against 0.132
    // for 0.1): the three left are sorted by distance.
    expect(cluster(five).map((x) => x.id)).toEqual([0, 1, 4])
    const noisy = five.map((x) => ({ ...x, jitter: 5 }))
    expect(cluster(noisy)).toHaveLength(5)
  })

  it('combining weighs offsets by 1/λ', () => {
    expect(combine([c(0, 0, 1), c(1, 3, 2)]).offset).toBeCloseTo((0 / 1 + 3 / 2) / (1 + 1 / 2), 12)
  })
})

describe('the discipline loop', () => {
  /** A clock the loop drives: its true offset drifts at `skewPpm` plus the loop's correction. */
  function plant(offset: number, skewPpm: number) {
    const state = { offset, freq: 0, slew: 0, steps: 0 }
    const clock: ClockDiscipline = {
      step: (d) => {
        state.offset += d
        state.steps++
      },
      slew: (d) => (state.slew = d),
      adjustFrequency: (ppm) => (state.freq = ppm),
      reference: () => undefined,
    }
    /** Lets `ms` pass: the slew is absorbed (it fits, by construction), the rate drifts. */
    const advance = (ms: number) => {
      state.offset += state.slew + (skewPpm + state.freq) * 1e-6 * ms
      state.slew = 0
    }
    return { state, clock, advance }
  }

  const context = (clock: ClockDiscipline, intervalMs: number): LoopContext => ({
    clock,
    policy: policyFor(DisciplineParamsSchema.parse({}), 0),
    params: LoopParamsSchema.parse({}),
    minPoll: 4,
    maxPoll: 6,
    intervalMs,
    pendingMs: 0,
  })

  it('the critically damped gain for g = 1/4', () => {
    expect(criticalFrequencyGain(0.25)).toBeCloseTo(1.75 - Math.sqrt(3), 12)
  })

  it('sets the clock at once (a step beyond 128 ms), measures the frequency, then holds phase and frequency', () => {
    const p = plant(400, 37)
    const loop = newLoop(0, 4)
    let now = 0
    for (let k = 0; k < 80; k++) {
      loopUpdate(loop, -p.state.offset, 0.01, now, context(p.clock, 16_000))
      p.advance(16_000)
      now += 16_000
    }
    expect(p.state.steps).toBe(1)
    expect(loop.state).toBe('sync')
    // Noise-free, the loop cancels the skew and the offset.
    expect(p.state.freq).toBeCloseTo(-37, 3)
    expect(Math.abs(p.state.offset)).toBeLessThan(1e-3)
  })

  it('with a frequency from stable storage it goes straight to sync, and slews a small first offset', () => {
    const p = plant(20, 0)
    const loop = newLoop(12, 4)
    const r = loopUpdate(loop, -20, 0.01, 0, context(p.clock, 16_000))
    expect(r).toMatchObject({ how: 'slew', correction: -20, whole: true })
    expect(loop.state).toBe('sync')
  })

  it('in sync, a phase correction is clamped to what the slew rate absorbs before the next update', () => {
    const p = plant(0, 0)
    const loop = { ...newLoop(1, 4), state: 'sync' as const, lastUpdate: 0 }
    const r = loopUpdate(loop, 100, 0.01, 16_000, context(p.clock, 16_000))
    // 500 ppm × 16 s × 0.9 = 7.2 ms, not g × 100 = 25 ms.
    expect(r.correction).toBeCloseTo(7.2, 9)
    expect(loop.clamped).toBe(true)
  })
})

describe('the topology', () => {
  it('servers per stratum, the last taking the rest', () => {
    expect(strata(3, 3, 8)).toEqual([1, 1, 1, 2, 2, 2, 3, 3])
    expect(minNodes(3, 3)).toBe(7)
    expect(minNodes(2, 1)).toBe(2)
    expect(NtpParamsSchema.safeParse({ stratumDepth: 16 }).success).toBe(false)
    expect(NtpParamsSchema.safeParse({ minPoll: 6, maxPoll: 4 }).success).toBe(false)
  })
})

describe('the shipped scenario: a hierarchy of three strata with a falseticker', () => {
  const scenario = loadScenarioFile('resources/scenarios/sync-ntp.yaml')
  const events = run(scenario)
  const tracks = new OffsetTracks(scenario.nodes, events)

  it('once nodes 0 and 1 serve, stratum 2 keeps node 2 out as a falseticker', () => {
    let updates = 0
    for (const node of [3, 4, 5])
      for (const e of ofNode(events, node))
        for (const u of notesOf<{ survivors: number[]; falsetickers: number[] }>(e, 'ntp.update'))
          if (e.time! > 900_000) {
            updates++
            expect(u.survivors).not.toContain(2)
            expect(u.falsetickers).toEqual([2])
          }
    expect(updates).toBeGreaterThan(30)
  })

  it('every client ends within 1 ms of true time; stratum 3 reports stratum 3', () => {
    for (const node of [3, 4, 5, 6, 7])
      for (const [t, offset] of tracks.track(node))
        if (t > 3_000_000) expect(Math.abs(offset)).toBeLessThan(1)
    const stratum = ofNode(events, 7)
      .flatMap((e) => notesOf<{ stratum: number }>(e, 'ntp.update'))
      .map((u) => u.stratum)
    expect(stratum.at(-1)).toBe(3)
  })

  it('samples from the reference-backed servers lie within their bounds; node 2 misses its own', () => {
    const rows = clockSamples(events)
    const fromGood = rows.filter((r) => r.source === 0 || r.source === 1)
    expect(fromGood.length).toBeGreaterThan(100)
    for (const r of fromGood) expect(Math.abs(sampleError(r, tracks)!)).toBeLessThanOrEqual(r.error)
    expect(
      rows.filter((r) => r.source === 2).some((r) => Math.abs(sampleError(r, tracks)!) > r.error),
    ).toBe(true)
  })
})

describe('modes and restarts', () => {
  const servers = { '0': { reference: {} }, '1': { reference: {} } }

  it('iburst: the first eight polls are 2 s apart', () => {
    const events = run({
      algorithm: 'ntp',
      nodes: 3,
      until: 40_000,
      params: { servers: 2, stratumDepth: 2 },
      clocks: { nodes: servers },
    })
    const sends = ofNode(events, 2)
      .filter((e) => e.kind === 'send')
      .map((e) => e.time!)
    const polls = [...new Set(sends)]
    const gaps = polls.slice(1, 10).map((t, k) => t - polls[k])
    // Eight burst polls (0 to 14 s) are each followed 2 s later; then the 16 s poll interval.
    // (Timers run on the node's clock, which the loop slews: a few µs either way.)
    gaps.slice(0, 8).forEach((g) => expect(g).toBeCloseTo(2000, 0))
    expect(gaps[8]).toBeCloseTo(16_000, 0)
  })

  it('symmetric: cut off from its servers, a stratum-2 node follows its peers', () => {
    const events = run({
      algorithm: 'ntp',
      nodes: 5,
      until: 2_400_000,
      params: { servers: 2, stratumDepth: 2, mode: 'symmetric' },
      network: {
        default: { delay: { dist: 'uniform', min: 1, max: 3 } },
        // Node 2 never reaches the servers; its peers 3 and 4 do.
        links: [
          { between: [0, 2], loss: 1 },
          { between: [1, 2], loss: 1 },
        ],
      },
      clocks: { nodes: { ...servers, '2': { offset: 60, skewPpm: 10 } } },
    })
    const updates = ofNode(events, 2).flatMap((e) =>
      notesOf<{ survivors: number[]; stratum: number }>(e, 'ntp.update'),
    )
    expect(updates.length).toBeGreaterThan(10)
    for (const u of updates) {
      expect(u.survivors.every((id) => id === 3 || id === 4)).toBe(true)
      expect(u.stratum).toBe(3)
    }
    const tracks = new OffsetTracks(5, events)
    for (const [t, offset] of tracks.track(2))
      if (t > 2_000_000) expect(Math.abs(offset)).toBeLessThan(2)
  })

  it('broadcast: clients calibrate with a few exchanges, then only listen', () => {
    const events = run({
      algorithm: 'ntp',
      nodes: 4,
      until: 1_800_000,
      params: { servers: 2, stratumDepth: 2, mode: 'broadcast', calibration: 4 },
      network: { default: { delay: { dist: 'uniform', min: 1, max: 3 } } },
      clocks: { nodes: { ...servers, '2': { offset: 30, skewPpm: -12 }, '3': { offset: -50 } } },
    })
    for (const client of [2, 3]) {
      const requests = ofNode(events, client).filter(
        (e) => e.kind === 'send' && (e.payload as { mode: string }).mode === 'client',
      )
      // The servers serve after about 5 minutes (their frequency measured); four answered
      // exchanges later the client stops asking and takes its samples from broadcasts.
      const last = requests.at(-1)!.time!
      expect(last).toBeLessThan(600_000)
      const heard = clockSamples(events).filter((r) => r.node === client && r.time > last + 1000)
      expect(heard.length).toBeGreaterThan(50)
      const tracks = new OffsetTracks(4, events)
      for (const [t, offset] of tracks.track(client))
        if (t > 1_200_000) expect(Math.abs(offset)).toBeLessThan(2)
    }
  })

  it('a crash loses the loop but not the frequency: recovery reads the drift file back', () => {
    const events = run({
      algorithm: 'ntp',
      nodes: 3,
      until: 1_500_000,
      params: { servers: 2, stratumDepth: 2 },
      clocks: { nodes: { ...servers, '2': { skewPpm: 30 } } },
      faults: [
        { at: 1_000_000, crash: 2 },
        { at: 1_100_000, recover: 2 },
      ],
    })
    const mine = ofNode(events, 2)
    const before = mine
      .filter((e) => e.time! < 1_000_000)
      .flatMap((e) => notesOf<{ ppm: number }>(e, 'clock.frequency'))
      .at(-1)!.ppm
    expect(Math.abs(before + 30)).toBeLessThan(5)
    const recover = mine.find((e) => e.kind === 'recover')!
    expect(notesOf<{ ppm: number }>(recover, 'clock.frequency')).toEqual([{ ppm: before }])
    // Straight to sync: no five-minute frequency watch, the clock stays close.
    const tracks = new OffsetTracks(3, events)
    for (const [t, offset] of tracks.track(2))
      if (t > 1_200_000) expect(Math.abs(offset)).toBeLessThan(1)
  })
})
