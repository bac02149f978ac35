// Rules of the mutex algorithms that the checkers do not cover: a request made
// while waiting or inside is ignored with a note saying why; an idle token ring
// keeps its token moving at the pass delay; majority voting asks only its m
// coordinators; parameters naming nodes that do not exist are refused.
import { describe, expect, it } from 'vitest'
import { CS_ENTER, CS_IGNORED, TOKEN_PASS } from '../../../src/algorithms/mutex/notes'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { noted, simulate } from '../../support/simulate'

const request = { kind: 'request' }
const ALGORITHMS = [
  'mutex-central',
  'ricart-agrawala',
  'token-ring',
  'suzuki-kasami',
  'mutex-majority',
]

const quiet = (algorithm: string, extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
  algorithm,
  nodes: 3,
  until: 500,
  workload: false,
  network: { default: { delay: { dist: 'constant', ms: 5 } } },
  ...extra,
})

describe('mutex algorithms', () => {
  for (const algorithm of ALGORITHMS)
    it(`${algorithm}: ignores a request while waiting or inside, and says why`, () => {
      // Node 1 asks at 0 and again at 1 ms (still waiting); it is inside from at most 20 ms on
      // (5 ms links; a ring token needs at most two hops) for 100 ms, and asks again at 60 ms.
      const { trace } = simulate(
        quiet(algorithm, {
          params: { holdMs: 100 },
          commands: [0, 1, 60].map((at) => ({ at, node: 1, command: request })),
        }),
      )
      const ignored = noted(trace, CS_IGNORED, 1)
      expect(ignored.map((e) => e.notes?.find((n) => n.kind === CS_IGNORED)?.data)).toEqual([
        { reason: 'waiting' },
        { reason: 'inside' },
      ])
      expect(noted(trace, CS_ENTER, 1)).toHaveLength(1)
    })

  it('token-ring: an idle token goes round the ring, resting passDelayMs at each node', () => {
    const { trace } = simulate(quiet('token-ring', { params: { passDelayMs: 20 }, until: 200 }))
    const passes = noted(trace, TOKEN_PASS)
    expect(passes.map((e) => e.node)).toEqual([0, 1, 2, 0, 1, 2, 0, 1])
    expect(passes.map((e) => e.time)).toEqual([20, 45, 70, 95, 120, 145, 170, 195])
  })

  it('mutex-majority: asks only coordinators 0..m-1 and enters with more than m/2 votes', () => {
    const { trace } = simulate(
      quiet('mutex-majority', {
        nodes: 5,
        params: { coordinators: 3 },
        commands: [{ at: 0, node: 4, command: request }],
      }),
    )
    const asked = trace.events.flatMap((e) =>
      e.kind === 'send' && (e.payload as { type: string }).type === 'request' ? e.to : [],
    )
    expect(asked).toEqual([0, 1, 2])
    expect(noted(trace, CS_ENTER, 4)[0].notes?.find((n) => n.kind === CS_ENTER)?.data).toEqual({
      votes: 2,
      attempt: 1,
    })
  })

  it('refuses a coordinator that is not a node', () => {
    expect(() => simulate(quiet('mutex-central', { params: { coordinator: 3 } }))).toThrow(
      /coordinator 3 is not a node/,
    )
    expect(() => simulate(quiet('mutex-majority', { params: { coordinators: 4 } }))).toThrow(
      /4 coordinators but only 3 nodes/,
    )
  })
})
