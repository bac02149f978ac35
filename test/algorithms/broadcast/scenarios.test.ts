// The broadcast teaching scenarios under resources/scenarios/ show what their
// `observe` text promises, and the checkers of each algorithm's own properties
// pass on them.
import { describe, expect, it } from 'vitest'
import { DELIVER, HOLD, type DeliverNote } from '../../../src/algorithms/broadcast/notes'
import { isProcessEvent, type Trace } from '../../../src/core/trace'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { notedWithId, simulate } from '../../support/simulate'

function run(name: string, algorithm?: string) {
  const file = findScenario(name)
  if (file === undefined) throw new Error(`no scenario ${name}`)
  const scenario = loadScenarioFile(file)
  const r = simulate({ ...scenario, ...(algorithm ? { algorithm } : {}) })
  return { ...r, applied: r.verdicts.map((v) => v.checker) }
}

/** The ids `node` delivered, in order. */
function delivered(trace: Trace, node: number): string[] {
  return trace.events.flatMap((e) =>
    isProcessEvent(e) && e.node === node
      ? (e.notes ?? []).filter((n) => n.kind === DELIVER).map((n) => (n.data as DeliverNote).id)
      : [],
  )
}

describe('broadcast scenarios', () => {
  it('broadcast-best-effort: n2 never delivers the message the crashed sender broadcast', () => {
    const r = run('broadcast-best-effort')
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    expect(delivered(r.trace, 1)).toEqual(['0:1', '1:1'])
    expect(delivered(r.trace, 2)).toEqual(['1:1'])
  })

  it('broadcast-reliable: n1 relays, so n2 delivers after the heal', () => {
    const r = run('broadcast-reliable')
    expect(r.applied).toContain('agreement')
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    const [atN2] = notedWithId(r.trace, DELIVER, '0:1', 2)
    expect(atN2.time).toBeGreaterThan(100)
  })

  it('broadcast-fifo: n1 holds 0:2 back, then delivers 0:1 and 0:2 together', () => {
    const r = run('broadcast-fifo')
    expect(r.applied).toContain('fifo-order')
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    expect(notedWithId(r.trace, HOLD, '0:2', 1)).toHaveLength(1)
    const [first] = notedWithId(r.trace, DELIVER, '0:1', 1)
    expect(notedWithId(r.trace, DELIVER, '0:2', 1)[0]).toBe(first)
  })

  it('broadcast-causal: n2 holds the reply until the message it answers; FIFO broadcast does not', () => {
    const r = run('broadcast-causal')
    expect(r.applied).toContain('causal-order')
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    expect(notedWithId(r.trace, HOLD, '1:1', 2)).toHaveLength(1)
    expect(delivered(r.trace, 2)).toEqual(['0:1', '1:1', '2:1'])
    expect(delivered(run('broadcast-causal', 'fifo-broadcast').trace, 2)).toEqual([
      '1:1',
      '0:1',
      '2:1',
    ])
  })

  it('broadcast-total-order-lamport: all deliver by (stamp, origin)', () => {
    const r = run('broadcast-total-order-lamport')
    expect(r.applied).toEqual(expect.arrayContaining(['total-order', 'causal-order']))
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    for (const node of [0, 1, 2])
      expect(delivered(r.trace, node)).toEqual(['0:1', '1:1', '2:1', '1:2'])
  })

  it('broadcast-total-order-sequencer: one order everywhere, n1 out of its send order', () => {
    const r = run('broadcast-total-order-sequencer')
    expect(r.applied).not.toContain('fifo-order')
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    for (const node of [0, 1, 2])
      expect(delivered(r.trace, node)).toEqual(['1:2', '2:1', '1:1', '2:2'])
  })

  it('broadcast-fifo-total-order: the sequencer holds 1:2 until 1:1, so n1 stays in order', () => {
    const r = run('broadcast-fifo-total-order')
    expect(r.applied).toEqual(expect.arrayContaining(['total-order', 'fifo-order']))
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    expect(notedWithId(r.trace, HOLD, '1:2', 0)).toHaveLength(1)
    for (const node of [0, 1, 2])
      expect(delivered(r.trace, node)).toEqual(['2:1', '1:1', '1:2', '2:2'])
  })
})
