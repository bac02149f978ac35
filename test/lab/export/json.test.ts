// The JSON export is the trace itself: JSON.parse reads it, one event sits on
// each line, and parseTrace gives back exactly the recorded trace, faults and
// all (crash, recovery, partition, loss, duplicates).
import { describe, expect, it } from 'vitest'
import { parseTrace } from '../../../src/core/trace-schema'
import { exportTrace, faultyRun, record, recordOddball } from './runs'

describe('json export', () => {
  for (const algorithm of ['lamport', 'vector'] as const)
    it(`round-trips a faulty ${algorithm} run`, () => {
      const trace = record(faultyRun(algorithm))
      const kinds = new Set(trace.events.map((e) => e.kind))
      for (const kind of [
        'send',
        'receive',
        'crash',
        'recover',
        'drop',
        'duplicate',
        'partition',
        'heal',
      ])
        expect(kinds, kind).toContain(kind)

      const text = exportTrace(trace, 'json')
      expect(JSON.parse(text)).toEqual(trace)
      expect(parseTrace(text, 'run.json')).toEqual(trace)
    })

  it('writes one event per line inside the events array', () => {
    const trace = record(faultyRun('lamport'))
    const lines = exportTrace(trace, 'json').split('\n')
    expect(lines[0]).toMatch(/^\{"format":"clocklab-trace","version":1,"meta":\{.*\},"events":\[$/)
    expect(lines.slice(1, -2).map((line) => JSON.parse(line.replace(/,$/, '')))).toEqual(
      trace.events,
    )
    expect(lines.slice(-2)).toEqual([']}', ''])
  })

  it('round-trips hostile strings and a run without vector time', () => {
    for (const trace of [recordOddball(), record(faultyRun('vector', { vectorTime: false }))])
      expect(parseTrace(exportTrace(trace, 'json'))).toEqual(trace)
  })

  it('writes a valid trace for a run with no events', () => {
    const trace = { ...record(faultyRun('lamport')), events: [] }
    expect(parseTrace(exportTrace(trace, 'json'))).toEqual(trace)
  })
})
