// Known breakage, shown rather than hidden: the textbook algorithms assume no
// process fails. In the shipped crash scenarios the progress checker reports the
// stalled requests, and the trace shows why: the messages to the crashed node
// are dropped and the reply or grant the requester waits for never comes.
import { describe, expect, it } from 'vitest'
import { CS_REQUEST } from '../../../src/algorithms/mutex/notes'
import {
  isProcessEvent,
  type DropEvent,
  type SendEvent,
  type Trace,
  type TraceEvent,
} from '../../../src/core/trace'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { noted, simulate, violationsOf } from '../../support/simulate'

function shipped(name: string) {
  const file = findScenario(name)
  if (file === undefined) throw new Error(`no shipped scenario ${name}`)
  return simulate(loadScenarioFile(file))
}

/** The send events made while handling the event at position `at`. */
function sendsOf(trace: Trace, at: number): SendEvent[] {
  const out: SendEvent[] = []
  const handled = trace.events[at]
  for (let k = at + 1; k < trace.events.length; k++) {
    const e = trace.events[k]
    if (e.kind !== 'send' || !isProcessEvent(handled) || e.node !== handled.node) break
    out.push(e)
  }
  return out
}

const drops = (trace: Trace) => trace.events.filter((e): e is DropEvent => e.kind === 'drop')

/** Messages of `type` sent from `from` to `to` after position `after`. */
const sent = (trace: Trace, type: string, from: number, to: number, after = -1) =>
  trace.events.filter(
    (e): e is SendEvent =>
      e.kind === 'send' &&
      e.i > after &&
      e.node === from &&
      e.to.includes(to) &&
      (e.payload as { type: string }).type === type,
  )

describe('Ricart-Agrawala with a crashed peer', () => {
  const run = shipped('mutex-ricart-agrawala-crash')
  const { trace } = run
  const crash = trace.events.find((e) => isProcessEvent(e) && e.kind === 'crash')

  it('keeps mutual exclusion but stalls: progress flags every request made after the crash', () => {
    expect(crash).toMatchObject({ node: 3, time: 300 })
    expect(violationsOf(run, 'mutual-exclusion')).toEqual([])
    const stalled = violationsOf(run, 'progress')
    expect(stalled.length).toBeGreaterThanOrEqual(2)
    const requestsAfterCrash = noted(trace, CS_REQUEST).filter((e) => e.i > (crash as TraceEvent).i)
    expect(stalled.map((v) => v.at)).toEqual(requestsAfterCrash.map((e) => e.i))
    for (const v of stalled) expect(v.message).toContain('node 3 crashed at 300 ms')
  })

  it('shows why: each such request to node 3 is dropped and node 3 never replies', () => {
    for (const v of violationsOf(run, 'progress')) {
      const [broadcast] = sendsOf(trace, v.at)
      expect(broadcast.to).toContain(3)
      expect(drops(trace)).toContainEqual(
        expect.objectContaining({
          msg: broadcast.msg,
          from: broadcast.node,
          to: 3,
          reason: 'crashed',
        }),
      )
      expect(sent(trace, 'reply', 3, broadcast.node, v.at)).toEqual([])
    }
  })
})

describe('central mutex with a crashed coordinator', () => {
  const run = shipped('mutex-central-coordinator-crash')
  const { trace } = run
  const [, queued, late] = noted(trace, CS_REQUEST)

  it('stalls the queued request and every later one: progress flags both', () => {
    expect([queued.node, queued.time, late.node, late.time]).toEqual([2, 30, 3, 200])
    expect(violationsOf(run, 'mutual-exclusion')).toEqual([])
    const stalled = violationsOf(run, 'progress')
    expect(stalled.map((v) => v.at)).toEqual([queued.i, late.i])
    for (const v of stalled) expect(v.message).toContain('node 0 crashed at 60 ms')
  })

  it('shows why: the release and the late request die at the crashed coordinator; no grant comes', () => {
    const crash = trace.events.find((e) => isProcessEvent(e) && e.kind === 'crash')
    expect(crash).toMatchObject({ node: 0, time: 60 })
    const [release] = sent(trace, 'release', 1, 0)
    const [request] = sendsOf(trace, late.i)
    expect(drops(trace).map((d) => [d.msg, d.to, d.reason])).toEqual([
      [release.msg, 0, 'crashed'],
      [request.msg, 0, 'crashed'],
    ])
    expect(sent(trace, 'grant', 0, 2)).toEqual([])
  })
})
