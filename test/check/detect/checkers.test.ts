// The failure-detector checkers against broken detectors: one that never
// suspects (completeness is flagged at the crash, once per live observer) and
// one that ignores acks (accuracy is flagged at its first suspicion, on a run
// within the assumptions, and not on a lossy run, which is out of its scope).
import { describe, expect, it } from 'vitest'
import { heartbeatDetector } from '../../../src/algorithms/detect/heartbeat-detector'
import { pingDetector } from '../../../src/algorithms/detect/ping-detector'
import { SUSPECT } from '../../../src/algorithms/detect/notes'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { noted, simulateWith, violationsOf } from '../../support/simulate'

const base: ScenarioInput = {
  algorithm: 'heartbeat-detector',
  nodes: 4,
  until: 3000,
  workload: false,
  faults: [{ at: 1000, crash: 2 }],
}

describe('detector-completeness', () => {
  // Mutant: a heartbeat detector whose silence timers never make it suspect anyone.
  const blind: typeof heartbeatDetector = {
    ...heartbeatDetector,
    onTimer(d, name, ctx) {
      if (!name.startsWith('fd.expire:')) heartbeatDetector.onTimer?.(d, name, ctx)
    },
  }

  it('flags a detector that never suspects, at the crash, for each live observer', () => {
    const run = simulateWith(blind, base)
    const crash = run.trace.events.find((e) => e.kind === 'crash')!
    const v = violationsOf(run, 'detector-completeness')
    expect(v.map((x) => x.at)).toEqual([crash.i, crash.i, crash.i])
    expect(v.map((x) => x.message.split(',')[0])).toEqual(
      [0, 1, 3].map((q) => `node ${q} does not suspect node 2`),
    )
  })

  it('does not judge a crash too recent for the bound (P + T) to have passed', () => {
    const run = simulateWith(blind, { ...base, until: 1000 + 100 + 300 })
    expect(violationsOf(run, 'detector-completeness')).toEqual([])
  })

  it('passes the real detector on the same run', () => {
    expect(violationsOf(simulateWith(heartbeatDetector, base), 'detector-completeness')).toEqual([])
  })
})

describe('detector-accuracy', () => {
  // Mutant: a ping detector that drops every ack, so it suspects everyone at its first deadline.
  const deaf: typeof pingDetector = {
    ...pingDetector,
    onMessage(d, from, m, ctx) {
      if (m.type !== 'fd.ack') pingDetector.onMessage?.(d, from, m, ctx)
    },
  }
  const ping = { ...base, algorithm: 'ping-detector', faults: [] }

  it('flags the first suspicion of a live process on a run within the assumptions', () => {
    const run = simulateWith(deaf, ping)
    const first = noted(run.trace, SUSPECT)[0]
    const v = violationsOf(run, 'detector-accuracy')
    // Three peers suspected on that first deadline, each flagged there.
    expect(v.slice(0, 3).map((x) => x.at)).toEqual([first.i, first.i, first.i])
    expect(first.time).toBe(300)
  })

  it('does not judge a lossy run: there a missing ack may be a lost one', () => {
    const run = simulateWith(deaf, { ...ping, network: { default: { loss: 0.05 } } })
    const firstLoss = run.trace.events.find((e) => e.kind === 'drop' && e.reason === 'loss')
    expect(firstLoss?.time).toBeLessThan(noted(run.trace, SUSPECT)[0].time as number)
    expect(violationsOf(run, 'detector-accuracy')).toEqual([])
  })

  it('passes the real detector on the same run', () => {
    expect(violationsOf(simulateWith(pingDetector, ping), 'detector-accuracy')).toEqual([])
  })
})
