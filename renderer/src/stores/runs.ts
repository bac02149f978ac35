// The runs and recordings of this session: each one's trace index, filled page by page from
// the engine while the run goes on, and its verdicts once it is done. The simulator shows
// one of them; the Recordings view lists them all. A large recording is shown from its first
// window while the engine still checks the rest; if the rest turns out corrupt, the recording
// is let go and `openError` says why in one line.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowReactive } from 'vue'
import type { Verdict } from '../../../src/check/checker'
import type { ExportFormatName, RunInfo, RunRequest, RunStats } from '../../../src/lab/api-types'
import { api, errorText } from '../api/client'
import { TraceIndex } from '../trace/trace-index'

export interface RunEntry {
  info: RunInfo
  index: TraceIndex
  /** Events loaded so far (the index's length, as a reactive value). */
  loaded: number
  done: boolean
  stats?: RunStats
  verdicts?: Verdict[]
  error?: string
  createdAt: Date
}

const PAGE = 10_000
/** Entries kept, as many as the engine holds. */
const KEEP = 8

const sleep = (ms: number) => new Promise((go) => setTimeout(go, ms))

export const useRunsStore = defineStore('runs', () => {
  const entries = shallowReactive<RunEntry[]>([])
  /** Why the last recording could not be opened. */
  const openError = ref<string | null>(null)
  const following = new WeakMap<RunEntry, Promise<void>>()

  function add(info: RunInfo): RunEntry {
    // Shallow: the trace index is large and is read through `loaded`, never watched deeply.
    const entry = shallowReactive<RunEntry>({
      info,
      index: markRaw(new TraceIndex(info.meta)),
      loaded: 0,
      done: false,
      createdAt: new Date(),
    })
    entries.unshift(entry)
    entries.splice(KEEP)
    following.set(entry, follow(entry))
    return entry
  }

  /** Pages the run's events in until it is done (or is let go). */
  async function follow(entry: RunEntry): Promise<void> {
    try {
      for (;;) {
        if (!entries.includes(entry)) return
        const page = await api().runPage(entry.info.id, entry.loaded, PAGE)
        if (page.events.length > 0) {
          entry.index.append(page.events)
          entry.loaded = entry.index.length
        }
        if (page.done && entry.loaded >= page.total) {
          entry.stats = page.stats
          entry.verdicts = page.verdicts
          if (page.error !== undefined) entry.error = page.error
          entry.done = true
          return
        }
        if (page.events.length === 0) await sleep(40)
      }
    } catch (err) {
      entry.error = errorText(err)
      entry.done = true
    }
  }

  async function start(req: RunRequest): Promise<RunEntry> {
    return add(await api().startRun(req))
  }

  /**
   * Opens a recording; throws (with a message to show) if it is not a valid trace. A large
   * one resolves once its first window is checked: `refused` then tells whether the rest is.
   */
  async function open(text: string, fileName: string): Promise<RunEntry> {
    return add(await api().openTrace(text, fileName))
  }

  /**
   * Resolves once a recording is all loaded: with undefined, or, if the engine refused the
   * rest of the file, with its one-line reason (the entry is then let go).
   */
  async function refused(entry: RunEntry): Promise<string | undefined> {
    await following.get(entry)
    if (entry.info.origin !== 'recording' || entry.error === undefined) return undefined
    const k = entries.indexOf(entry)
    if (k >= 0) entries.splice(k, 1)
    return entry.error
  }

  function exportRun(entry: RunEntry, format: ExportFormatName): Promise<string> {
    return api().exportRun(entry.info.id, format)
  }

  function remove(entry: RunEntry): void {
    const k = entries.indexOf(entry)
    if (k >= 0) entries.splice(k, 1)
    if (!entry.done) void api().cancelRun(entry.info.id)
  }

  return { entries, openError, add, start, open, refused, exportRun, remove }
})
