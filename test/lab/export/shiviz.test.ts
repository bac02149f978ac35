// The ShiViz export loads in ShiViz as it is: re-read with ShiViz's own parser
// and clock rules (shiviz-reader.ts), as an uploaded file and as pasted text;
// it shows every process event and no network event, with the trace's vector
// time; a run recorded without vector time exports identical clocks; hostile
// names and strings never break the two-line layout.
import { describe, expect, it } from 'vitest'
import { isProcessEvent, type Trace } from '../../../src/core/trace'
import { SHIVIZ_REGEX, shivizHosts } from '../../../src/lab/export/shiviz'
import { VectorTime } from '../../../src/lab/export/vector-time'
import { exportTrace, faultyRun, HOSTILE, record, recordOddball } from './runs'
import { loadShiVizFile, parseShiVizLog, SHIVIZ_DEFAULT_PARSER } from './shiviz-reader'

/** The trace's process events as ShiViz should show them: host and non-zero clock entries. */
function expectedEvents(trace: Trace) {
  const hosts = shivizHosts(trace.meta.nodes)
  return trace.events.filter(isProcessEvent).map((e) => ({
    host: hosts[e.node],
    clock: Object.fromEntries((e.vc ?? []).flatMap((t, k) => (t === 0 ? [] : [[hosts[k], t]]))),
  }))
}

describe('shiviz export', () => {
  it("uses ShiViz's default parser", () => {
    expect(SHIVIZ_REGEX).toBe(SHIVIZ_DEFAULT_PARSER)
  })

  for (const algorithm of ['lamport', 'vector'] as const)
    it(`loads a faulty ${algorithm} run with the trace's clocks`, () => {
      const trace = record(faultyRun(algorithm))
      const text = exportTrace(trace, 'shiviz')
      const loaded = loadShiVizFile(text)
      expect(parseShiVizLog(text)).toEqual(loaded)
      expect(loaded.map(({ host, clock }) => ({ host, clock }))).toEqual(expectedEvents(trace))
      // Stronger than ShiViz asks: in file order, each host's own entry counts up by one.
      const seen = new Map<string, number>()
      for (const { host, clock } of loaded) {
        expect(clock[host]).toBe((seen.get(host) ?? 0) + 1)
        seen.set(host, clock[host])
      }
    })

  it('describes each event on one line, with its annotations', () => {
    const trace = record(faultyRun('lamport'))
    const events = loadShiVizFile(exportTrace(trace, 'shiviz')).map((e) => e.event)
    const process = trace.events.filter(isProcessEvent)
    process.forEach((e, k) => expect(events[k].startsWith(e.kind), events[k]).toBe(true))
    expect(events).toContain('start')
    expect(events).toContain('crash')
    expect(events.find((e) => e.startsWith('send'))).toMatch(/^send m\d+ to n\d \{"ts":\d+\}$/)
    expect(events.find((e) => e.startsWith('command'))).toMatch(
      /^command issued \{"kind":"(internal|send)"(,"to":\d)?\} · lamport=\d+$/,
    )
    expect(events).toContain('recover (incarnation 1)')
    expect(events.find((e) => e.startsWith('receive'))).toMatch(
      /^receive m\d+ from n\d · lamport=\d+$/,
    )
  })

  it('computes the same clocks for a run recorded without vector time', () => {
    const withVc = record(faultyRun('vector'))
    const without = record(faultyRun('vector', { vectorTime: false }))
    expect(without.meta.vectorTime).toBe(false)
    expect(without.events.some((e) => isProcessEvent(e) && e.vc !== undefined)).toBe(false)
    expect(exportTrace(without, 'shiviz')).toBe(exportTrace(withVc, 'shiviz'))
  })

  it('forgets a message once every copy is received or dropped', () => {
    const trace = record(
      faultyRun('lamport', { vectorTime: false, until: 5000, workload: { rate: 20, until: 2500 } }),
    )
    const vt = new VectorTime(trace.meta.nodes.length)
    let most = 0
    for (const e of trace.events) {
      vt.next(e)
      most = Math.max(most, vt.inFlight)
    }
    expect(most).toBeGreaterThan(0)
    expect(vt.inFlight).toBe(0)
  })

  it('keeps the layout with hostile names, timers, annotations and commands', () => {
    const trace = recordOddball()
    const loaded = loadShiVizFile(exportTrace(trace, 'shiviz'))
    expect(loaded.map(({ host, clock }) => ({ host, clock }))).toEqual(expectedEvents(trace))
    expect(new Set(loaded.map((e) => e.host))).toEqual(new Set(['a_b#0', 'a_b#1', 'c_d#2']))
    const quoted = JSON.stringify(HOSTILE).replace('\u2028', '\\u2028')
    expect(loaded.some((e) => e.event.startsWith(`timer ${quoted}`))).toBe(true)
    expect(loaded.some((e) => e.event.startsWith('timer "{tick}"'))).toBe(true)
    expect(loaded.some((e) => e.event.startsWith('command issued {"kind":"{x}"'))).toBe(true)
    expect(loaded.find((e) => e.event.startsWith('start'))?.event).toBe(
      `start · ${quoted}=${quoted}`,
    )
  })

  it('names hosts after the nodes when they are usable as they are', () => {
    expect(shivizHosts(['alice', 'bob'])).toEqual(['alice', 'bob'])
    expect(shivizHosts(['big box', 'pi'])).toEqual(['big_box', 'pi'])
    expect(shivizHosts(['x', 'x'])).toEqual(['x#0', 'x#1'])
  })
})
