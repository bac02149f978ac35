// The LAN view's state: the lab this engine joined (polled while the view is open), the
// experiment on show with its merged trace laid out for the space-time diagram as chunks
// arrive, its verdicts, its clock-sync series, and the faults set at run time. The lab's
// passphrase never lives here: the join form passes it straight to the engine.
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowReactive, shallowRef } from 'vue'
import type {
  AlgorithmInfo,
  LanExperimentInfo,
  LanExperimentRequest,
  LanExperimentView,
  LanFaultRequest,
  LanJoinRequest,
  LanStatus,
} from '../../../src/lab/api-types'
import { api, errorText } from '../api/client'
import { TraceIndex } from '../trace/trace-index'
import { useRunsStore, type RunEntry } from './runs'

const STATUS_EVERY_MS = 700
const VIEW_EVERY_MS = 400

/** The experiment on show: what the engine last said, and its trace as a diagram entry. */
export interface ShownExperiment {
  id: string
  view: LanExperimentView | null
  entry: RunEntry | null
  version: number
}

export const useLanStore = defineStore('lan', () => {
  const runs = useRunsStore()
  const status = ref<LanStatus | null>(null)
  const error = ref<string | null>(null)
  const busy = ref(false)
  const algorithms = ref<AlgorithmInfo[]>([])
  const shown = shallowReactive<ShownExperiment>({ id: '', view: null, entry: null, version: 0 })
  const shownView = shallowRef<LanExperimentView | null>(null)
  let statusTimer: ReturnType<typeof setTimeout> | undefined
  let viewTimer: ReturnType<typeof setTimeout> | undefined
  let watching = false

  const joined = computed(() => status.value?.joined === true)
  const peers = computed(() => status.value?.peers ?? [])
  const experiments = computed(() => status.value?.experiments ?? [])

  async function refresh(): Promise<void> {
    try {
      status.value = await api().lanStatus()
      if (!shown.id && status.value.experiments.length > 0) show(status.value.experiments[0].id)
    } catch (err) {
      error.value = errorText(err)
    }
  }

  function pollStatus(): void {
    clearTimeout(statusTimer)
    if (!watching) return
    void refresh().finally(() => {
      if (watching) statusTimer = setTimeout(pollStatus, STATUS_EVERY_MS)
    })
  }

  /** The view is open: poll the lab and the experiment on show. */
  function start(): void {
    if (watching) return
    watching = true
    pollStatus()
    pollView()
    if (!algorithms.value.length)
      void api()
        .listAlgorithms()
        .then((a) => (algorithms.value = a))
        .catch((err) => (error.value = errorText(err)))
  }

  function stop(): void {
    watching = false
    clearTimeout(statusTimer)
    clearTimeout(viewTimer)
  }

  /**
   * Runs one call to the engine: clears the last error, shows the call's own if it fails, and
   * (for what the forms wait on) keeps `busy` set while it runs. Whether it succeeded.
   */
  async function attempt(call: () => Promise<unknown>, whileBusy = false): Promise<boolean> {
    if (whileBusy) busy.value = true
    error.value = null
    try {
      await call()
      return true
    } catch (err) {
      error.value = errorText(err)
      return false
    } finally {
      if (whileBusy) busy.value = false
    }
  }

  /** Joins a lab; the request (with the passphrase) is not kept. */
  function join(req: LanJoinRequest): Promise<boolean> {
    return attempt(async () => (status.value = await api().lanJoin(req)), true)
  }

  async function leave(): Promise<void> {
    await attempt(async () => {
      await api().lanLeave()
      await refresh()
    }, true)
  }

  function startExperiment(req: LanExperimentRequest): Promise<boolean> {
    return attempt(async () => {
      const info = await api().lanStart(req)
      await refresh()
      show(info.id)
    }, true)
  }

  function show(id: string): void {
    if (shown.id === id) return
    shown.id = id
    shown.view = null
    shown.entry = null
    shown.version = 0
    shownView.value = null
    pollView()
  }

  function pollView(): void {
    clearTimeout(viewTimer)
    if (!watching) return
    const id = shown.id
    const again = () => {
      if (watching) viewTimer = setTimeout(pollView, VIEW_EVERY_MS)
    }
    if (!id) return again()
    const finished = shown.view !== null && isOver(shown.view.info)
    if (finished) return again()
    api()
      .lanExperiment(id, shown.version)
      .then((v) => {
        if (shown.id === id) take(v)
      })
      .catch((err) => (error.value = errorText(err)))
      .finally(again)
  }

  /** Lays the engine's answer into the diagram entry (appending when only new events came). */
  function take(v: LanExperimentView): void {
    if (v.events !== undefined) {
      const from = v.from ?? 0
      let entry = shown.entry
      if (entry === null || from === 0 || from > entry.index.length) {
        entry = newEntry(v)
        entry.index.append(v.events)
      } else if (from === entry.index.length) entry.index.append(v.events)
      else {
        const kept = entry.index.events.slice(0, from)
        entry.index = markRaw(new TraceIndex(v.meta))
        entry.index.append(kept)
        entry.index.append(v.events)
      }
      entry.loaded = entry.index.length
      shown.entry = entry
    }
    if (shown.entry !== null) {
      shown.entry.done = isOver(v.info)
      if (v.verdicts !== undefined) shown.entry.verdicts = v.verdicts
    }
    shown.version = v.version
    shown.view = v
    shownView.value = v
  }

  function newEntry(v: LanExperimentView): RunEntry {
    return shallowReactive<RunEntry>({
      info: {
        id: v.info.id,
        label: `${v.info.algorithm} (live)`,
        origin: 'recording',
        meta: v.meta,
        until: v.info.durationMs,
        maxEvents: Infinity,
      },
      index: markRaw(new TraceIndex(v.meta)),
      loaded: 0,
      done: false,
      createdAt: new Date(),
    })
  }

  function fault(req: LanFaultRequest): Promise<boolean> {
    return attempt(() => api().lanFault(shown.id, req))
  }

  /** The finished experiment as a recording (Recordings), or replayed in the simulator. */
  async function toRecording(replay: boolean): Promise<RunEntry | null> {
    let entry: RunEntry | null = null
    await attempt(async () => {
      const info = replay ? await api().lanReplay(shown.id) : await api().lanRecording(shown.id)
      entry = runs.add(info)
    })
    return entry
  }

  return {
    status,
    error,
    busy,
    algorithms,
    shown,
    shownView,
    joined,
    peers,
    experiments,
    start,
    stop,
    join,
    leave,
    startExperiment,
    show,
    fault,
    toRecording,
  }
})

export function isOver(info: LanExperimentInfo): boolean {
  return info.state === 'done' || info.state === 'failed'
}
