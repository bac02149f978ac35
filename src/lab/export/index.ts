// Exporters: a run's trace, streamed into a file format other tools read
// (the versioned JSON trace, ShiViz's log format, CSV). One file per format.
// CSV is the table that fits the run: one row per clock sample for a clock-
// synchronization algorithm, one row per event for any other.
import type { TraceMeta } from '../../core/trace'
import { syncAlgorithmNames } from '../../algorithms/sync'
import { csvExporter } from './csv'
import type { Exporter, Write } from './exporter'
import { jsonExporter } from './json'
import { samplesCsvExporter } from './samples-csv'
import { shivizExporter } from './shiviz'

export type { Exporter, Write } from './exporter'

export const EXPORT_FORMATS = ['json', 'shiviz', 'csv'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** An exporter that writes `format` through `write` as the run's events arrive. */
export function createExporter(format: ExportFormat, meta: TraceMeta, write: Write): Exporter {
  switch (format) {
    case 'json':
      return jsonExporter(meta, write)
    case 'shiviz':
      return shivizExporter(meta, write)
    case 'csv':
      return syncAlgorithmNames.has(meta.algorithm)
        ? samplesCsvExporter(meta, write)
        : csvExporter(write)
  }
}
