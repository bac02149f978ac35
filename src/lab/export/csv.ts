// CSV export: a header line, then one row per trace event, for spreadsheets
// and data frames. Node ids (not names) fill node, from and to; lists (a
// send's destinations, vector time) are space-separated; a cell is empty where
// a field does not apply. `notes` holds the event's fields that have no column
// (payload, cause, timer, command, incarnation, drop reason, partition groups)
// and then its annotations, as `name=JSON` separated by "; ". Rows end in CRLF
// and cells are quoted as RFC 4180 says.
import { isProcessEvent, type TraceEvent } from '../../core/trace'
import type { Exporter, Write } from './exporter'

export const CSV_COLUMNS = [
  'i',
  'kind',
  'node',
  'seq',
  'lamport',
  'local_ms',
  'time_ms',
  'from',
  'to',
  'msg',
  'notes',
  'vc',
] as const

/** The event fields that have a column (local_ms holds `local`, time_ms `time`); the rest go to `notes`. */
const COLUMN_FIELDS = new Set<string>(CSV_COLUMNS.map((column) => column.replace(/_ms$/, '')))

export type Cell = string | number | undefined

export function csvExporter(write: Write): Exporter {
  write(csvRow(CSV_COLUMNS))
  return {
    sink: (e) => write(csvRow(cells(e))),
    end() {},
  }
}

function cells(e: TraceEvent): Cell[] {
  const p = isProcessEvent(e) ? e : undefined
  return [
    e.i,
    e.kind,
    p?.node,
    p?.seq,
    p?.lamport,
    p?.local,
    e.time,
    'from' in e ? e.from : undefined,
    'to' in e ? [e.to].flat().join(' ') : undefined,
    'msg' in e ? e.msg : undefined,
    notes(e),
    p?.vc?.join(' '),
  ]
}

function notes(e: TraceEvent): string {
  const fields = Object.entries(e)
    .filter(([name, value]) => !COLUMN_FIELDS.has(name) && value !== undefined)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
  const annotations = (isProcessEvent(e) ? (e.notes ?? []) : []).map((n) =>
    n.data === undefined ? n.kind : `${n.kind}=${JSON.stringify(n.data)}`,
  )
  return [...fields, ...annotations].join('; ')
}

/** One CSV line (RFC 4180 quoting, CRLF). */
export function csvRow(cells: readonly Cell[]): string {
  return cells.map(quote).join(',') + '\r\n'
}

function quote(cell: Cell): string {
  const text = cell === undefined ? '' : String(cell)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
