// One link's faults as the LAN view's forms edit them (percentages, a partition kind), and
// their form for the engine: the faults node `from` applies to its link to node `to`.
import type { LanLinkFaults } from '../../../../src/lab/api-types'

export interface LinkFaultRow {
  from: number
  to: number
  dropPct: number | ''
  delayMs: number | ''
  /** A random extra delay of up to this many ms per message (each link keeps its order). */
  jitterMs: number | ''
  duplicatePct: number | ''
  /** one-way: `from` stops sending to `to`; two-way: neither hears the other. */
  partition: 'none' | 'one-way' | 'two-way'
}

export const newRow = (from = 0, to = 1): LinkFaultRow => ({
  from,
  to,
  dropPct: '',
  delayMs: '',
  jitterMs: '',
  duplicatePct: '',
  partition: 'none',
})

const num = (x: number | '') => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0)

export function toFaults(row: LinkFaultRow): LanLinkFaults {
  const f: LanLinkFaults = {}
  if (num(row.dropPct)) f.drop = Math.min(100, num(row.dropPct)) / 100
  if (num(row.delayMs)) f.delayMs = Math.min(60_000, num(row.delayMs))
  if (num(row.jitterMs)) f.jitterMs = Math.min(60_000, num(row.jitterMs))
  if (num(row.duplicatePct)) f.duplicate = Math.min(100, num(row.duplicatePct)) / 100
  if (row.partition === 'one-way') f.cut = 'out'
  if (row.partition === 'two-way') f.cut = 'both'
  return f
}

/** A link's faults in a few words. */
export function describe(f: LanLinkFaults | undefined): string {
  if (f === undefined) return 'none'
  const parts = [
    f.drop ? `drops ${Math.round(f.drop * 100)}%` : '',
    f.delayMs ? `+${f.delayMs} ms` : '',
    f.jitterMs ? `jitter up to ${f.jitterMs} ms` : '',
    f.duplicate ? `duplicates ${Math.round(f.duplicate * 100)}%` : '',
    f.cut === 'out'
      ? 'cut one way'
      : f.cut === 'both'
        ? 'cut both ways'
        : f.cut === 'in'
          ? 'cut incoming'
          : '',
  ].filter((x) => x !== '')
  return parts.length ? parts.join(', ') : 'none'
}
