// The checkers catch what they promise to catch, on real runs and on traces
// damaged on purpose, and stay silent on healthy runs.
import { describe, expect, it } from 'vitest'
import { checkTrace, checkers } from '../../src/check/index'
import { causalityChecker } from '../../src/check/causality'
import { lamportClockCondition, vectorClockCondition } from '../../src/check/clock-condition'
import { runScenario } from '../../src/sim/run'
import { ScenarioSchema } from '../../src/sim/scenario'
import type { Trace, TraceEvent } from '../../src/core/trace'

function record(algorithm: string, extra: Record<string, unknown> = {}): Trace {
  return runScenario(
    ScenarioSchema.parse({
      algorithm,
      nodes: 3,
      seed: 3,
      until: 3000,
      workload: { rate: 20 },
      ...extra,
    }),
    { record: true },
  ).trace!
}

const verdictOf = (t: Trace, events: TraceEvent[], name: string) =>
  checkTrace(t.meta, events, checkers).find((v) => v.checker === name)

describe('clock-condition checker', () => {
  it('applies to the matching algorithm only', () => {
    const meta = record('lamport').meta
    expect(lamportClockCondition.appliesTo(meta)).toBe(true)
    expect(vectorClockCondition.appliesTo(meta)).toBe(false)
  })

  for (const algorithm of ['lamport', 'vector']) {
    it(`${algorithm}: silent on a healthy run, flags the clock restarting from zero after a crash`, () => {
      const healthy = record(algorithm)
      expect(verdictOf(healthy, healthy.events, 'clock-condition')?.ok).toBe(true)
      // Node 0 makes three internal events, crashes, recovers and makes one more: its clock
      // starts over from zero, so the new stamp cannot exceed the last one before the crash.
      const crashed = record(algorithm, {
        workload: false,
        commands: [10, 20, 30, 200].map((at) => ({ at, node: 0, command: { kind: 'internal' } })),
        faults: [
          { at: 100, crash: 0 },
          { at: 110, recover: 0 },
        ],
      })
      const v = verdictOf(crashed, crashed.events, 'clock-condition')!
      expect(v.ok).toBe(false)
      const recoverAt = crashed.events.find((e) => e.kind === 'recover')!.i
      expect(v.violations).toHaveLength(1)
      expect(v.violations[0].at).toBeGreaterThan(recoverAt)
      // The causality checker is about the trace's own time, which a crash does not reset.
      expect(verdictOf(crashed, crashed.events, 'causality')?.ok).toBe(true)
    })
  }
})

describe('causality checker', () => {
  const t = record('vector', { network: { default: { loss: 0.2, duplicate: 0.2 } } })

  it('is silent on a healthy run', () => {
    expect(checkTrace(t.meta, t.events, [causalityChecker])[0].ok).toBe(true)
  })

  it('flags a receive that names no earlier send', () => {
    const events = structuredClone(t.events)
    const r = events.find((e) => e.kind === 'receive')!
    if (r.kind !== 'receive') throw new Error('unreachable')
    r.cause = r.i + 1_000_000
    const [v] = checkTrace(t.meta, events, [causalityChecker])
    expect(v.ok).toBe(false)
    expect(v.violations[0].at).toBe(r.i)
  })

  it('flags a gap in a node sequence (a lost event)', () => {
    const events = structuredClone(t.events)
    const k = events.findIndex((e, idx) => idx > 10 && e.kind === 'command')
    const removed = events.splice(k, 1)[0] as { node: number }
    const [v] = checkTrace(t.meta, events, [causalityChecker])
    expect(v.ok).toBe(false)
    const next = events.slice(k).find((e) => 'node' in e && e.node === removed.node)!
    expect(v.violations[0].at).toBe(next.i)
  })
})
