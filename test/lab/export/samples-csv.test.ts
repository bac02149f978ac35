// The clock-sample CSV: `csv` for a sync algorithm's run is one row per clock
// sample under a fixed header, nodes and sources by name, true time and true
// offset filled in a simulated trace and left empty in a live one; any other
// algorithm's run keeps the one-row-per-event CSV.
import { describe, expect, it } from 'vitest'
import type { ProcessEvent, TraceMeta } from '../../../src/core/trace'
import { createExporter } from '../../../src/lab/export/index'
import { CSV_COLUMNS } from '../../../src/lab/export/csv'

const meta: TraceMeta = {
  source: 'sim',
  algorithm: 'rbs',
  params: {},
  nodes: ['alpha', 'beta', 'gamma'],
  vectorTime: false,
}

function exportCsv(m: TraceMeta, events: ProcessEvent[]): string[] {
  let text = ''
  const x = createExporter('csv', m, (chunk) => (text += chunk))
  events.forEach((e) => x.sink(e))
  x.end()
  return text.split('\r\n').slice(0, -1)
}

const receive = (over: Partial<ProcessEvent>, notes: ProcessEvent['notes']): ProcessEvent =>
  ({
    i: 0,
    kind: 'receive',
    msg: 0,
    from: 0,
    cause: 0,
    payload: null,
    node: 1,
    seq: 0,
    lamport: 1,
    local: 1002.5,
    time: 1000,
    notes,
    ...over,
  }) as ProcessEvent

describe('the clock-sample CSV', () => {
  it('one row per sample: names for node, source and peer; the true offset is local − true', () => {
    const lines = exportCsv(meta, [
      receive({}, [
        { kind: 'clock.sample', data: { offset: 2.25, error: 0.5, source: 0 } },
        { kind: 'clock.sample', data: { offset: -1, error: 0.75, source: 'rbs', peer: 2 } },
        { kind: 'rbs.skew', data: { peer: 2, ppm: 3 } },
      ]),
      receive({ node: 2, local: 5, time: 6 }, []),
    ])
    expect(lines).toEqual([
      'node,true_time_ms,local_ms,true_offset_ms,estimated_offset_ms,error_ms,source,peer',
      'beta,1000,1002.5,2.5,2.25,0.5,alpha,',
      'beta,1000,1002.5,2.5,-1,0.75,rbs,gamma',
    ])
  })

  it('a live trace has no true time: those cells are empty', () => {
    const lines = exportCsv({ ...meta, source: 'live' }, [
      receive({ time: undefined }, [
        { kind: 'clock.sample', data: { offset: 1, error: 2, source: 'average' } },
      ]),
    ])
    expect(lines[1]).toBe('beta,,1002.5,,1,2,average,')
  })

  it('names with a comma are quoted', () => {
    const lines = exportCsv({ ...meta, nodes: ['a,b', 'c', 'd'] }, [
      receive({ node: 0 }, [{ kind: 'clock.sample', data: { offset: 0, error: 1 } }]),
    ])
    expect(lines[1]).toBe('"a,b",1000,1002.5,2.5,0,1,,')
  })

  it('any other algorithm keeps the event CSV', () => {
    const lines = exportCsv({ ...meta, algorithm: 'lamport' }, [receive({}, [])])
    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    expect(lines).toHaveLength(2)
  })
})
