// What every exporter is: a trace sink that turns events into text as they
// arrive and hands it on in chunks, so a run of millions of events is never
// held in memory; `end` writes whatever closes the file.
import type { TraceSink } from '../../core/trace'

/** Receives the exported text, chunk by chunk, in order. */
export type Write = (chunk: string) => void

export interface Exporter {
  sink: TraceSink
  end(): void
}
