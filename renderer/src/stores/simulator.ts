// The Simulator view's state: the setup form (an algorithm or a teaching scenario, nodes,
// network and faults), the run on show, and playback over it: play and pause at a chosen
// speed, step, jump to an event. The run itself is computed by the engine (in a worker);
// playback reveals its trace over time, so the diagram fills in as a student watches.
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef, watch } from 'vue'
import type { AlgorithmInfo, RunRequest, ScenarioSummary } from '../../../src/lab/api-types'
import { api, errorText } from '../api/client'
import { parseGroups, type FaultRow } from '../fault-rows'
import { useRunsStore, type RunEntry } from './runs'

/** Playback speeds: simulated ms per real ms. */
export const SPEEDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000] as const

type Optional = number | null | ''

/** An optional number field's value, or null when it is blank. */
const given = (x: Optional): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null

export interface Setup {
  mode: 'algorithm' | 'scenario'
  algorithm: string
  scenario: string
  nodes: number
  seed: number
  until: number
  maxEvents: number
  /** Blank (null, or '' from an emptied number field): the scenario's or the default value. */
  delayMin: Optional
  delayMax: Optional
  lossPct: Optional
  duplicatePct: Optional
  workloadRate: Optional
  faults: FaultRow[]
}

export const useSimulatorStore = defineStore('simulator', () => {
  const runs = useRunsStore()
  const algorithms = ref<AlgorithmInfo[]>([])
  const scenarios = ref<ScenarioSummary[]>([])
  const catalogError = ref<string | null>(null)
  const setup = reactive<Setup>({
    mode: 'algorithm',
    algorithm: '',
    scenario: '',
    nodes: 4,
    seed: 1,
    until: 1000,
    maxEvents: 200_000,
    delayMin: null,
    delayMax: null,
    lossPct: null,
    duplicatePct: null,
    workloadRate: null,
    faults: [],
  })
  const starting = ref(false)
  /** The request behind the run on show, if it is a simulation made here. */
  const lastRequest = shallowRef<RunRequest | null>(null)
  const runError = ref<string | null>(null)

  const current = shallowRef<RunEntry | null>(null)
  const playing = ref(false)
  const speed = ref<number>(1)
  /** The playback head, simulated ms. */
  const now = ref(0)
  /** Events revealed: positions below this are shown. */
  const cursor = ref(0)
  const selected = ref(-1)
  /** Bumped to ask the diagram to bring `selected` into view. */
  const focusRequest = ref(0)

  const selectedScenario = computed(() => scenarios.value.find((s) => s.name === setup.scenario))
  const selectedAlgorithm = computed(() => algorithms.value.find((a) => a.name === setup.algorithm))
  const loaded = computed(() => current.value?.loaded ?? 0)
  const atEnd = computed(
    () => current.value !== null && current.value.done && cursor.value >= loaded.value,
  )

  async function loadCatalog(): Promise<void> {
    try {
      const [a, s] = await Promise.all([api().listAlgorithms(), api().listScenarios()])
      algorithms.value = a
      scenarios.value = s
      if (!a.some((x) => x.name === setup.algorithm)) setup.algorithm = a[0]?.name ?? ''
      if (!s.some((x) => x.name === setup.scenario))
        chooseScenario(s.find((x) => !x.error)?.name ?? '')
      catalogError.value = null
    } catch (err) {
      catalogError.value = errorText(err)
    }
  }

  function chooseScenario(name: string): void {
    setup.scenario = name
    const s = scenarios.value.find((x) => x.name === name)
    if (s && !s.error && setup.mode === 'scenario') {
      setup.nodes = s.nodes
      setup.seed = s.seed
      setup.until = s.until
    }
  }

  function request(): RunRequest {
    const req: RunRequest =
      setup.mode === 'scenario' ? { scenario: setup.scenario } : { algorithm: setup.algorithm }
    req.nodes = setup.nodes
    req.seed = setup.seed
    req.until = setup.until
    req.maxEvents = setup.maxEvents
    const network: NonNullable<RunRequest['network']> = {}
    const [delayMin, delayMax] = [given(setup.delayMin), given(setup.delayMax)]
    if (delayMin !== null || delayMax !== null) {
      const min = delayMin ?? 1
      network.delayMin = min
      network.delayMax = delayMax ?? Math.max(min, 10)
    }
    const [loss, duplicate] = [given(setup.lossPct), given(setup.duplicatePct)]
    if (loss !== null) network.loss = loss / 100
    if (duplicate !== null) network.duplicate = duplicate / 100
    if (Object.keys(network).length > 0) req.network = network
    const rate = given(setup.workloadRate)
    if (rate !== null) req.workloadRate = rate
    if (setup.faults.length > 0)
      req.faults = setup.faults.map((f) => {
        switch (f.kind) {
          case 'crash':
            return { at: f.at, crash: f.node }
          case 'recover':
            return { at: f.at, recover: f.node }
          case 'partition':
            return { at: f.at, partition: parseGroups(f.groups) ?? [] }
          case 'heal':
            return { at: f.at, heal: true as const }
        }
      })
    return req
  }

  /**
   * Runs the setup (or `req`) and shows the run, playing; or, given `keep`, paused at that
   * position (a re-run that only adds a later fault has the same events up to there).
   */
  async function run(
    req: RunRequest = request(),
    keep?: { now: number; cursor: number },
  ): Promise<void> {
    starting.value = true
    runError.value = null
    try {
      const entry = await runs.start(req)
      show(entry)
      lastRequest.value = req
      if (keep !== undefined) {
        now.value = keep.now
        holdAt = keep.cursor
        syncCursor()
      } else play()
    } catch (err) {
      runError.value = errorText(err)
    } finally {
      starting.value = false
    }
  }

  /**
   * Shows a run from the start, paused; a recording is shown whole (Home, then Play, replays
   * it).
   */
  function show(entry: RunEntry): void {
    pause()
    lastRequest.value = null
    current.value = entry
    now.value = 0
    cursor.value = 0
    selected.value = -1
    if (entry.info.origin === 'recording') showAll()
  }

  /**
   * Crashes a node at the playback head (and recovers it `recoverAfter` ms later, if given):
   * the run on show is made again with the same seed and this fault added, which replays
   * everything before the crash exactly. The fault also joins the form's schedule.
   */
  async function injectCrash(node: number, recoverAfter: number | null): Promise<void> {
    const base = lastRequest.value
    if (base === null) return
    // A microsecond after the head, so the event at the head still happens before the crash.
    const at = now.value + 0.001
    const rows: FaultRow[] = [{ kind: 'crash', at, node, groups: '' }]
    if (recoverAfter !== null)
      rows.push({ kind: 'recover', at: at + recoverAfter, node, groups: '' })
    const faults = rows.map((f) =>
      f.kind === 'crash' ? { at: f.at, crash: f.node } : { at: f.at, recover: f.node },
    )
    const wasPlaying = playing.value
    await run(
      { ...base, faults: [...(base.faults ?? []), ...faults] },
      { now: now.value, cursor: cursor.value },
    )
    if (runError.value === null) {
      setup.faults.push(...rows)
      if (wasPlaying) play()
    }
  }

  // ---- playback -------------------------------------------------------------------------

  /** Where a finished run ends: the time the simulation reached, or its last event. */
  function endTime(entry: RunEntry): number {
    return Math.max(entry.stats?.time ?? 0, entry.index.lastTime)
  }

  let frame = 0
  let last = 0

  /** Set by showAll: events that arrive later are shown at once too. */
  let revealAll = false
  /** Set after a re-run: the position to come back to as its events arrive (-1: none). */
  let holdAt = -1

  /** Reveals every loaded event up to the head (the head only moves forward). */
  function syncCursor(): void {
    const entry = current.value
    if (!entry) return
    if (revealAll) {
      cursor.value = entry.loaded
      now.value = entry.done ? endTime(entry) : entry.index.lastTime
      return
    }
    if (holdAt >= 0) {
      cursor.value = Math.min(entry.loaded, holdAt)
      return
    }
    const upTo = entry.index.countUpTo(now.value)
    if (upTo > cursor.value) cursor.value = upTo
  }

  function tick(ts: number): void {
    const entry = current.value
    if (!entry || !playing.value) return
    const dt = Math.min(100, ts - last)
    last = ts
    const end = entry.done ? endTime(entry) : Infinity
    // Wait at the edge of what is loaded, rather than run ahead of the engine.
    const edge = entry.done ? end : entry.index.lastTime
    now.value = Math.min(edge, now.value + dt * speed.value)
    syncCursor()
    if (entry.done && now.value >= end) {
      cursor.value = entry.loaded
      pause()
      return
    }
    frame = requestAnimationFrame(tick)
  }

  function play(): void {
    const entry = current.value
    if (!entry || playing.value) return
    if (atEnd.value) restart()
    revealAll = false
    holdAt = -1
    playing.value = true
    last = performance.now()
    frame = requestAnimationFrame(tick)
  }

  function pause(): void {
    revealAll = false
    holdAt = -1
    playing.value = false
    cancelAnimationFrame(frame)
  }

  function toggle(): void {
    if (playing.value) pause()
    else play()
  }

  function goTo(position: number): void {
    const entry = current.value
    if (!entry) return
    cursor.value = Math.max(0, Math.min(entry.loaded, position))
    now.value = cursor.value > 0 ? entry.index.time[cursor.value - 1] : 0
  }

  /** One event forward (pausing first). */
  function step(): void {
    pause()
    goTo(cursor.value + 1)
    selected.value = cursor.value - 1
  }

  function stepBack(): void {
    pause()
    goTo(cursor.value - 1)
    selected.value = cursor.value - 1
  }

  function restart(): void {
    pause()
    goTo(0)
    selected.value = -1
  }

  /** Shows everything loaded so far. */
  function showAll(): void {
    pause()
    revealAll = true
    syncCursor()
  }

  /** Moves the head to a position (events shown), paused. */
  function seek(position: number): void {
    pause()
    goTo(position)
  }

  /** Moves the head to event `i`, selects it and brings it into view. */
  function jumpTo(i: number): void {
    pause()
    goTo(i + 1)
    select(i, true)
  }

  function select(i: number, focus = false): void {
    selected.value = i
    if (focus) focusRequest.value++
  }

  // Pages that arrive while the head waits (after a crash was injected, or after End) are
  // revealed up to it.
  watch(() => [current.value?.loaded, current.value?.done], syncCursor)

  return {
    algorithms,
    scenarios,
    catalogError,
    setup,
    starting,
    runError,
    lastRequest,
    current,
    playing,
    speed,
    now,
    cursor,
    selected,
    focusRequest,
    selectedScenario,
    selectedAlgorithm,
    loaded,
    atEnd,
    loadCatalog,
    chooseScenario,
    run,
    show,
    injectCrash,
    syncCursor,
    play,
    pause,
    toggle,
    step,
    stepBack,
    restart,
    showAll,
    seek,
    jumpTo,
    select,
  }
})
