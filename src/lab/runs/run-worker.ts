// A run worker: runs one simulation, or reads one recording, off the thread that serves the
// API, and posts the trace back in batches as it grows, then the checkers' verdicts. It
// loads the engine first and then waits for its job, so a spare one can be kept warm.
import { parentPort } from 'node:worker_threads'
import { checkTrace } from '../../check/index'
import { InputError } from '../../core/errors'
import type { TraceEvent } from '../../core/trace'
import { parseTrace, parseTraceData } from '../../core/trace-schema'
import { runScenario } from '../../sim/run'
import type { WorkerJob, WorkerMessage } from './protocol'

/** Events per batch, and the longest a partial batch waits (ms), so a slow run still fills in. */
const BATCH_EVENTS = 4096
const BATCH_WAIT_MS = 50

const post = (m: WorkerMessage): void => parentPort!.postMessage(m)

function simulate(job: Extract<WorkerJob, { kind: 'simulate' }>): void {
  let batch: TraceEvent[] = []
  let since = Date.now()
  const flush = (): void => {
    if (batch.length > 0) post({ type: 'events', events: batch })
    batch = []
    since = Date.now()
  }
  const { stats, verdicts } = runScenario(job.scenario, {
    check: true,
    onStart: (meta) => post({ type: 'meta', meta, until: job.scenario.until }),
    sinks: [
      (e) => {
        batch.push(e)
        if (
          batch.length >= BATCH_EVENTS ||
          (batch.length % 256 === 0 && Date.now() - since > BATCH_WAIT_MS)
        )
          flush()
      },
    ],
  })
  flush()
  post({ type: 'done', stats, verdicts: verdicts ?? [] })
}

/**
 * A recording larger than this shows its first window before the whole file is checked.
 * CLOCKLAB_OPEN_PREVIEW=off checks it all first, as before (bench:ui compares the two).
 */
const PREVIEW_EVENTS = process.env.CLOCKLAB_OPEN_PREVIEW === 'off' ? Infinity : BATCH_EVENTS

/** The time a recording's last event may have: its largest true time or local clock reading. */
function lastTime(events: readonly unknown[]): number {
  let until = 0
  for (const e of events) {
    const { time, local } = (e ?? {}) as { time?: unknown; local?: unknown }
    const t = typeof time === 'number' ? time : typeof local === 'number' ? local : 0
    if (t > until) until = t
  }
  return until
}

/**
 * Reads a recording, parsing its JSON once. A large one is shown before it is all checked:
 * its first window goes through parseTraceData on its own (the same checks, links included:
 * they only look back), and out with the meta; then parseTraceData checks the whole file as
 * strictly as ever, and only then does the rest go out. A problem found late ends the run with
 * parseTrace's one line, and the page lets the recording go.
 */
function open(job: Extract<WorkerJob, { kind: 'open' }>): void {
  let data: unknown
  try {
    data = JSON.parse(job.text)
  } catch {
    parseTrace(job.text, job.fileName) // throws the file's problem in one line
  }
  const raw = (data as { events?: unknown } | null)?.events
  let sent = 0
  if (Array.isArray(raw) && raw.length > PREVIEW_EVENTS) {
    const head = parseTraceData(
      { ...(data as object), events: raw.slice(0, PREVIEW_EVENTS) },
      job.fileName,
    )
    post({ type: 'meta', meta: head.meta, until: lastTime(raw) })
    post({ type: 'events', events: head.events })
    sent = head.events.length
  }
  const trace = parseTraceData(data, job.fileName)
  if (sent === 0) post({ type: 'meta', meta: trace.meta, until: lastTime(trace.events) })
  for (let k = sent; k < trace.events.length; k += BATCH_EVENTS)
    post({ type: 'events', events: trace.events.slice(k, k + BATCH_EVENTS) })
  post({ type: 'done', verdicts: checkTrace(trace.meta, trace.events) })
}

parentPort!.once('message', (job: WorkerJob) => {
  try {
    if (job.kind === 'simulate') simulate(job)
    else open(job)
  } catch (err) {
    post({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      input: err instanceof InputError,
    })
  }
})
