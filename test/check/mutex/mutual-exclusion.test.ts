// The mutual-exclusion checker: silent on the real algorithms, and flagging the
// overlapping cs.enter of two broken ones (a coordinator that grants without
// waiting for the release; Ricart-Agrawala replying from inside the critical
// section), plus hand-built traces for the crash rule.
import { describe, expect, it } from 'vitest'
import { mutexCentral, type CentralState } from '../../../src/algorithms/mutex/central'
import {
  ricartAgrawala,
  type RicartAgrawalaState,
} from '../../../src/algorithms/mutex/ricart-agrawala'
import { CS_ENTER, CS_EXIT } from '../../../src/algorithms/mutex/notes'
import { mutualExclusionChecker } from '../../../src/check/mutex/mutual-exclusion'
import { checkTrace } from '../../../src/check/index'
import { defineAlgorithm } from '../../../src/core/process'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { noted, simulate, simulateWith, violationsOf } from '../../support/simulate'
import { hand } from './hand-trace'

const request = { kind: 'request' }

/** The coordinator grants every request at once, whoever holds the critical section. */
const grantsTwice = defineAlgorithm({
  ...mutexCentral,
  onMessage(s: CentralState, from, m, ctx) {
    if (m.type === 'request' && ctx.self === s.params.coordinator)
      return ctx.send(from, { type: 'grant' })
    mutexCentral.onMessage?.(s, from, m, ctx)
  },
})

/** Replies to a request even from inside the critical section, instead of deferring. */
const repliesInside = defineAlgorithm({
  ...ricartAgrawala,
  onMessage(s: RicartAgrawalaState, from, m, ctx) {
    if (m.type === 'request' && s.phase === 'inside') {
      s.clock = Math.max(s.clock, m.ts) + 1
      return ctx.send(from, { type: 'reply', ts: s.clock })
    }
    ricartAgrawala.onMessage?.(s, from, m, ctx)
  },
})

/** Node 1 enters at 10 ms and stays 50 ms; node 2 asks at 20 ms, while node 1 is inside. */
const overlap = (algorithm: string): ScenarioInput => ({
  algorithm,
  nodes: 3,
  until: 1000,
  workload: false,
  params: { holdMs: 50 },
  network: { default: { delay: { dist: 'constant', ms: 5 } } },
  commands: [
    { at: 0, node: 1, command: request },
    { at: 20, node: 2, command: request },
  ],
})

describe('mutual-exclusion checker', () => {
  it('flags the second grant of a coordinator that does not wait for the release', () => {
    expect(violationsOf(simulate(overlap('mutex-central')), 'mutual-exclusion')).toEqual([])
    const run = simulateWith(grantsTwice, overlap('mutex-central'))
    const [first, second] = noted(run.trace, CS_ENTER)
    expect([first.node, second.node]).toEqual([1, 2])
    expect(second.time).toBeLessThan(noted(run.trace, CS_EXIT, 1)[0].time as number)
    const v = violationsOf(run, 'mutual-exclusion')
    expect(v).toHaveLength(1)
    expect(v[0].at).toBe(second.i)
    expect(v[0].message).toBe(`node 2 enters while node 1 is inside (since event ${first.i})`)
  })

  it('flags the entry that a reply sent from inside the critical section lets through', () => {
    expect(violationsOf(simulate(overlap('ricart-agrawala')), 'mutual-exclusion')).toEqual([])
    const run = simulateWith(repliesInside, overlap('ricart-agrawala'))
    const second = noted(run.trace, CS_ENTER, 2)[0]
    expect(second.time).toBeLessThan(noted(run.trace, CS_EXIT, 1)[0].time as number)
    expect(violationsOf(run, 'mutual-exclusion').map((v) => v.at)).toEqual([second.i])
  })

  it('lets a crash end a stay, and flags an enter during another stay', () => {
    const t = hand()
    t.event(0, 'command', [CS_ENTER])
    t.event(0, 'crash')
    t.event(1, 'command', [CS_ENTER])
    const overlapping = t.event(2, 'command', [CS_ENTER])
    t.event(1, 'timer', [CS_EXIT])
    t.event(2, 'timer', [CS_EXIT])
    const [verdict] = checkTrace(t.meta('mutex-central'), t.events, [mutualExclusionChecker])
    expect(verdict.violations.map((v) => v.at)).toEqual([overlapping])
  })
})
