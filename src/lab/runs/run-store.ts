// The runs and recordings the engine holds for the app: each runs in its own worker thread
// and fills in as the worker posts its events; callers read them a page at a time and
// export them. Only the most recent few are kept, so memory stays bounded. A shell can keep
// one spare worker booted, so a run starts at once rather than after the engine loads.
import { randomUUID } from 'node:crypto'
import type { Worker } from 'node:worker_threads'
import type { Verdict } from '../../check/checker'
import { InputError } from '../../core/errors'
import type { TraceEvent } from '../../core/trace'
import { ApiInputError, type RunInfo, type RunPage, type RunStats } from '../api'
import { createExporter, type ExportFormat } from '../export/index'
import type { WorkerJob, WorkerMessage } from './protocol'
import type { SpawnWorker } from './spawn-worker'

interface HeldRun {
  info: RunInfo
  events: TraceEvent[]
  done: boolean
  stats?: RunStats
  verdicts?: Verdict[]
  error?: string
  worker?: Worker
}

/** Runs and recordings kept at once; starting another lets the oldest go. */
export const HELD_RUNS = 8

export class RunStore {
  private readonly runs = new Map<string, HeldRun>()
  private spare: Worker | undefined
  private warmAfterRuns = false
  private closed = false

  constructor(
    private readonly spawn: SpawnWorker,
    private readonly limit = HELD_RUNS,
  ) {}

  /** Starts a simulation; resolves once the worker has accepted the scenario. */
  simulate(
    scenario: Extract<WorkerJob, { kind: 'simulate' }>['scenario'],
    label: string,
  ): Promise<RunInfo> {
    return this.begin({ kind: 'simulate', scenario }, (meta, until) => ({
      label,
      origin: 'simulation',
      meta,
      until,
      maxEvents: scenario.maxEvents ?? Infinity,
      ...(scenario.observe !== undefined ? { observe: scenario.observe } : {}),
    }))
  }

  /** Reads a recording; rejects with the file's first problem if it is not a valid trace. */
  open(text: string, fileName: string): Promise<RunInfo> {
    return this.begin({ kind: 'open', text, fileName }, (meta, until) => ({
      label: fileName,
      origin: 'recording',
      meta,
      until,
      maxEvents: Infinity,
    }))
  }

  page(id: string, from: number, max: number): RunPage {
    const run = this.get(id)
    return {
      events: run.events.slice(from, from + max),
      total: run.events.length,
      done: run.done,
      ...(run.stats !== undefined ? { stats: run.stats } : {}),
      ...(run.verdicts !== undefined ? { verdicts: run.verdicts } : {}),
      ...(run.error !== undefined ? { error: run.error } : {}),
    }
  }

  cancel(id: string): void {
    const run = this.runs.get(id)
    if (run === undefined || run.done) return
    this.finish(run, 'cancelled')
  }

  /** The run's trace in one of the export formats; a run still under way is exported so far. */
  exportRun(id: string, format: ExportFormat): string {
    const run = this.get(id)
    const chunks: string[] = []
    const exporter = createExporter(format, run.info.meta, (chunk) => chunks.push(chunk))
    for (const e of run.events) exporter.sink(e)
    exporter.end()
    return chunks.join('')
  }

  /**
   * Boots a spare worker now, and a new one after each run (not during it: booting competes
   * for the CPU). An idle spare does not keep the process alive.
   */
  warm(): void {
    this.warmAfterRuns = true
    if (this.spare !== undefined || this.closed) return
    this.spare = this.spawn()
    this.spare.unref()
    // A spare that dies while idle is simply replaced at the next run.
    this.spare.once('exit', () => (this.spare = undefined))
    this.spare.on('error', () => {})
  }

  /** Stops every worker (the shell is shutting down). */
  close(): void {
    this.closed = true
    for (const run of this.runs.values()) if (!run.done) this.finish(run, 'cancelled')
    this.runs.clear()
    void this.spare?.terminate()
    this.spare = undefined
  }

  /** The spare worker if there is one, else a new one. */
  private takeWorker(): Worker {
    const worker = this.spare ?? this.spawn()
    this.spare = undefined
    worker.removeAllListeners()
    worker.ref()
    return worker
  }

  private get(id: string): HeldRun {
    const run = this.runs.get(id)
    if (run === undefined)
      throw new ApiInputError(
        `no run ${id}: the engine keeps the last ${this.limit} runs and recordings; start it again`,
      )
    return run
  }

  private begin(
    job: WorkerJob,
    describe: (meta: RunInfo['meta'], until: number) => Omit<RunInfo, 'id'>,
  ): Promise<RunInfo> {
    const id = randomUUID()
    const worker = this.takeWorker()
    worker.postMessage(job)
    return new Promise<RunInfo>((resolve, reject) => {
      let run: HeldRun | undefined
      const fail = (message: string, input: boolean): void => {
        if (run === undefined) reject(input ? new InputError(message) : new Error(message))
        else this.finish(run, message)
      }
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'meta':
            run = { info: { id, ...describe(m.meta, m.until) }, events: [], done: false, worker }
            this.keep(id, run)
            resolve(run.info)
            return
          case 'events':
            if (run === undefined) return
            for (const e of m.events) run.events.push(e)
            return
          case 'done':
            if (run === undefined) return
            run.stats = m.stats
            run.verdicts = m.verdicts
            this.finish(run)
            return
          case 'error':
            return fail(m.message, m.input)
        }
      })
      worker.on('error', (err) => fail(`the run failed: ${err.message}`, false))
      worker.on('exit', () => {
        if (run === undefined) reject(new Error('the run worker stopped before it started'))
        else if (!run.done) this.finish(run, 'the run worker stopped unexpectedly')
      })
    })
  }

  private finish(run: HeldRun, error?: string): void {
    run.done = true
    if (error !== undefined) run.error = error
    const worker = run.worker
    run.worker = undefined
    void worker?.terminate()
    if (this.warmAfterRuns) this.warm()
  }

  /** Holds a new run, letting the oldest go (and stopping it) when over the limit. */
  private keep(id: string, run: HeldRun): void {
    this.runs.set(id, run)
    for (const [oldId, old] of this.runs) {
      if (this.runs.size <= this.limit) break
      if (!old.done) this.finish(old, 'cancelled')
      this.runs.delete(oldId)
    }
  }
}
