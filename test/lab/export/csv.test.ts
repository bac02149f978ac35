// The CSV export has one header line and one row per trace event with the
// agreed columns, empty where a field does not apply, and quotes cells as RFC
// 4180 says: a small reader here parses it back to the trace's values.
import { describe, expect, it } from 'vitest'
import { isProcessEvent, type TraceEvent } from '../../../src/core/trace'
import { CSV_COLUMNS } from '../../../src/lab/export/csv'
import { exportTrace, faultyRun, HOSTILE, record, recordOddball } from './runs'

/** RFC 4180: records end in CRLF; a quoted cell may hold commas, CRLF and doubled quotes. */
function readCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let k = 0; k < text.length; k++) {
    const c = text[k]
    if (quoted) {
      if (c !== '"') cell += c
      else if (text[k + 1] === '"') cell += text[k++]
      else quoted = false
    } else if (c === '"' && cell === '') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\r' && text[k + 1] === '\n') {
      rows.push([...row, cell])
      row = []
      cell = ''
      k++
    } else if (c === '"' || c === '\r' || c === '\n')
      throw new Error(`bare ${JSON.stringify(c)} at ${k}`)
    else cell += c
  }
  if (quoted || row.length > 0 || cell !== '')
    throw new Error('the last record does not end in CRLF')
  return rows
}

/** What each column should say about an event, written independently of the exporter. */
function expectedCells(e: TraceEvent): Record<string, string> {
  const p = isProcessEvent(e) ? e : undefined
  const text = (v: number | undefined) => (v === undefined ? '' : String(v))
  return {
    i: String(e.i),
    kind: e.kind,
    node: text(p?.node),
    seq: text(p?.seq),
    lamport: text(p?.lamport),
    local_ms: text(p?.local),
    time_ms: text(e.time),
    from: 'from' in e ? String(e.from) : '',
    to: e.kind === 'send' ? e.to.join(' ') : 'to' in e ? String(e.to) : '',
    msg: 'msg' in e ? String(e.msg) : '',
    vc: p?.vc?.join(' ') ?? '',
  }
}

describe('csv export', () => {
  for (const algorithm of ['lamport', 'vector'] as const)
    it(`has one row per event of a faulty ${algorithm} run, with the right cells`, () => {
      const trace = record(faultyRun(algorithm))
      const [header, ...rows] = readCsv(exportTrace(trace, 'csv'))
      expect(header).toEqual([...CSV_COLUMNS])
      expect(header).toEqual(
        'i,kind,node,seq,lamport,local_ms,time_ms,from,to,msg,notes,vc'.split(','),
      )
      expect(rows).toHaveLength(trace.events.length)
      rows.forEach((row, k) => {
        expect(row).toHaveLength(header.length)
        const cells = Object.fromEntries(header.map((name, c) => [name, row[c]]))
        const { notes, ...rest } = cells
        expect(rest).toEqual(expectedCells(trace.events[k]))
        if (trace.events[k].kind === 'drop')
          expect(notes).toMatch(/^reason="(loss|partition|crashed)"$/)
      })
    })

  it('writes fields without a column, then annotations, into notes', () => {
    const trace = record(faultyRun('lamport'))
    const rows = readCsv(exportTrace(trace, 'csv')).slice(1)
    const receive = trace.events.findIndex((e) => e.kind === 'receive')
    const e = trace.events[receive]
    if (e.kind !== 'receive') throw new Error('no receive')
    expect(rows[receive][10]).toBe(
      `cause=${e.cause}; payload=${JSON.stringify(e.payload)}; lamport=${JSON.stringify(e.notes?.[0].data)}`,
    )
    const partition = trace.events.findIndex((e) => e.kind === 'partition')
    expect(rows[partition][10]).toBe('groups=[[0,1],[2,3]]')
  })

  it('quotes commas, quotes and line breaks so they read back', () => {
    const trace = recordOddball()
    const text = exportTrace(trace, 'csv')
    const rows = readCsv(text).slice(1)
    expect(rows).toHaveLength(trace.events.length)
    const start = rows.find((r) => r[1] === 'start')
    expect(start?.[10]).toBe(`incarnation=0; ${HOSTILE}=${JSON.stringify(HOSTILE)}`)
    const timer = rows.find((r) => r[1] === 'timer')
    expect(timer?.[10]).toBe(`timer=${JSON.stringify(HOSTILE)}; {bare}`)
  })
})
