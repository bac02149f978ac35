// JSON export: the Trace object itself (format, version, meta, events), with
// one event per line inside the events array, written as events arrive. The
// result is plain JSON that `parseTrace` reads back as the same trace.
import { TRACE_FORMAT, TRACE_VERSION, type TraceMeta } from '../../core/trace'
import type { Exporter, Write } from './exporter'

export function jsonExporter(meta: TraceMeta, write: Write): Exporter {
  const head = { format: TRACE_FORMAT, version: TRACE_VERSION, meta }
  // The head object, left open for the events array.
  write(`${JSON.stringify(head).slice(0, -1)},"events":[`)
  let separator = '\n'
  return {
    sink(e) {
      write(separator + JSON.stringify(e))
      separator = ',\n'
    },
    end() {
      write('\n]}\n')
    },
  }
}
