// The clock-sample CSV: one row per `clock.sample` a sync algorithm annotated,
// under a header, for spreadsheets and plots of offset and error over time:
//   node, true_time_ms, local_ms, true_offset_ms (local − true), estimated_offset_ms,
//   error_ms (the algorithm's bound), source (a node name or a word), peer
// A sample relative to another node's clock (RBS) names that node in `peer`; its
// estimate is local − the peer's local. A live trace has no true time: those
// cells are empty. Nodes are named as in the trace's meta.
import { SAMPLE, type ClockSample } from '../../algorithms/sync/notes'
import { isProcessEvent, notesOf, type TraceMeta } from '../../core/trace'
import { csvRow } from './csv'
import type { Exporter, Write } from './exporter'

export const SAMPLE_COLUMNS = [
  'node',
  'true_time_ms',
  'local_ms',
  'true_offset_ms',
  'estimated_offset_ms',
  'error_ms',
  'source',
  'peer',
] as const

export function samplesCsvExporter(meta: TraceMeta, write: Write): Exporter {
  const name = (id: number | string | undefined) =>
    typeof id === 'number' ? (meta.nodes[id] ?? String(id)) : id
  write(csvRow(SAMPLE_COLUMNS))
  return {
    sink(e) {
      if (!isProcessEvent(e)) return
      for (const s of notesOf<ClockSample>(e, SAMPLE))
        write(
          csvRow([
            name(e.node),
            e.time,
            e.local,
            e.time === undefined ? undefined : e.local - e.time,
            s.offset,
            s.error,
            name(s.source),
            name(s.peer),
          ]),
        )
    },
    end() {},
  }
}
