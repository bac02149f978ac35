// A run worker: runs one simulation, or reads one recording, off the thread that serves the
// API, and posts the trace back in batches as it grows, then the checkers' verdicts. It
// loads the engine first and then waits for its job, so a spare one can be kept warm.
import { parentPort } from 'node:worker_threads'
import { checkTrace } from '../../check/index'
import { InputError } from '../../core/errors'
import type { TraceEvent } from '../../core/trace'
import { parseTrace } from '../../core/trace-schema'
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

function open(job: Extract<WorkerJob, { kind: 'open' }>): void {
  const trace = parseTrace(job.text, job.fileName)
  let until = 0
  for (const e of trace.events) until = Math.max(until, e.time ?? ('local' in e ? e.local : 0))
  post({ type: 'meta', meta: trace.meta, until })
  for (let k = 0; k < trace.events.length; k += BATCH_EVENTS)
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
