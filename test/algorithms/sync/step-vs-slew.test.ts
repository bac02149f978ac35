// Step vs slew on the shipped scenario: two clocks 300 ms ahead of a Cristian time
// server, one corrected by a step, one by a slew. The trace shows the backward
// jump on the first and a bounded rate on the second, whose correction takes
// 300 ms / 500 ppm = 600 s, as the clock model says; the monotonicity checker
// flags the timestamps on the stepped node only. The leap-second scenario makes
// the same point with a leap inserted by a step and one smeared.
import { describe, expect, it } from 'vitest'
import type { ProcessEvent, TraceEvent } from '../../../src/core/trace'
import { notesOf } from '../../../src/core/trace'
import { loadScenarioFile } from '../../../src/lab/scenarios'
import { clockSamples } from '../../../src/lab/metrics/sync'
import { runScenario } from '../../../src/sim/run'
import { slewDurationMs } from '../../../src/time/discipline/policy'

function play(name: string) {
  const events: TraceEvent[] = []
  const result = runScenario(loadScenarioFile(`resources/scenarios/${name}.yaml`), {
    check: true,
    sinks: [(e) => events.push(e)],
  })
  const ofNode = (node: number) =>
    events.filter((e): e is ProcessEvent => 'node' in e && e.node === node)
  const monotonicity = result.verdicts!.find((v) => v.checker === 'clock-monotonicity')!
  return { events, ofNode, monotonicity }
}

describe('sync-step-vs-slew', () => {
  const { events, ofNode, monotonicity } = play('sync-step-vs-slew')

  it('the stepping node jumps back about 300 ms at its first reply, at once', () => {
    const n1 = ofNode(1)
    const steps = n1.flatMap((e) => notesOf<{ deltaMs: number }>(e, 'clock.step'))
    // Within the first sample's bound (half of a 2-6 ms round trip).
    expect(steps[0].deltaMs).toBeGreaterThan(-303)
    expect(steps[0].deltaMs).toBeLessThan(-297)
    const at = n1.findIndex((e) => notesOf(e, 'clock.step').length > 0)
    // The next reading is below the one before the step: time went backwards.
    expect(n1[at + 1].local).toBeLessThan(n1[at].local)
    expect(n1[at + 1].local - n1[at + 1].time!).toBeCloseTo(0, 0)
  })

  it('the slewing node never goes back, runs exactly 500 ppm slow, and reaches true time after 600 s', () => {
    const n2 = ofNode(2)
    expect(n2.some((e) => notesOf(e, 'clock.step').length > 0)).toBe(false)
    expect(n2.some((e) => notesOf(e, 'clock.slew').length > 0)).toBe(true)
    const theory = slewDurationMs(300)
    expect(theory).toBe(600_000)
    let reached: number | undefined
    for (let k = 1; k < n2.length; k++) {
      const [a, b] = [n2[k - 1], n2[k]]
      expect(b.local).toBeGreaterThanOrEqual(a.local)
      const dt = b.time! - a.time!
      // While the offset is being absorbed the clock advances at exactly 1 − 500 ppm.
      if (b.time! < 590_000 && dt > 10) expect((b.local - a.local) / dt).toBeCloseTo(1 - 500e-6, 9)
      if (reached === undefined && Math.abs(b.local - b.time!) < 3) reached = b.time!
    }
    // Within the estimate's error (a few ms of 300 ms) of 600 s: ±6 s at 500 ppm.
    expect(Math.abs(reached! - theory)).toBeLessThan(6000)
  })

  it('the monotonicity checker flags the stepped node once, naming the step, and not the slewed one', () => {
    expect(monotonicity.ok).toBe(false)
    expect(monotonicity.violations).toHaveLength(1)
    expect(monotonicity.violations[0].message).toMatch(
      /^node 1: wall-clock stamp .* earlier than the one taken at event \d+; the clock went back 300\.\d+ ms at event \d+ \(clock\.step\)/,
    )
  })

  it('its samples tell the same story as the trace: the true offset a cliff on n1, a ramp on n2', () => {
    const rows = clockSamples(events)
    const n1 = rows.filter((r) => r.node === 1)
    const n2 = rows.filter((r) => r.node === 2)
    expect(Math.abs(n1[1].trueOffset)).toBeLessThan(3)
    // 30 s polls: each one finds 15 ms less (500 ppm × 30 s).
    expect(n2[0].trueOffset - n2[1].trueOffset).toBeCloseTo(15, 0)
  })
})

describe('sync-leap-second', () => {
  const { ofNode, monotonicity } = play('sync-leap-second')

  it('an inserted leap second breaks the consumer on node 1; the smear on node 2 does not', () => {
    expect(monotonicity.violations.map((v) => v.message.split(':')[0])).toEqual(['node 1'])
    expect(monotonicity.violations[0].message).toMatch(/a leap second or an unannounced step/)
    const n2 = ofNode(2)
    for (let k = 1; k < n2.length; k++) expect(n2[k].local).toBeGreaterThanOrEqual(n2[k - 1].local)
    // By the end both have lost the second; node 3, with no leap, has not.
    for (const [node, lost] of [
      [1, 1000],
      [2, 1000],
      [3, 0],
    ]) {
      const last = ofNode(node).at(-1)!
      expect(last.time! - last.local).toBeCloseTo(lost, 6)
    }
  })
})
