// The Clocks view's state: this machine's clocks read once a second through the API, and
// each clock's offset from a chosen reference clock over time (its change since the first
// reading: a clock that runs at the reference's rate stays at 0); and the live time sources
// the user adds (NTP, GPS on a serial port, gpsd) with the lab clock that follows them: their
// status each second, and their points, kept here even when a source goes away.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type {
  ClocksReport,
  LabClockPoint,
  LabClockStatus,
  LiveSourceStatus,
  SerialPortListing,
  SourcePoint,
  TimeSourceSpec,
} from '../../../src/lab/api-types'
import { api, errorText } from '../api/client'

export interface OffsetSample {
  /** Seconds since the first reading. */
  t: number
  /** Clock id to its offset from the reference, ms, minus the first such offset. */
  offsets: Record<string, number>
}

const PERIOD_MS = 1000
/** Samples kept: five minutes. */
const KEEP = 300
/** Points kept per live source and for the lab clock: an hour at one a second. */
const KEEP_POINTS = 3600

function append<T>(list: T[], more: T[]): T[] {
  if (more.length === 0) return list
  const all = [...list, ...more]
  return all.length > KEEP_POINTS ? all.slice(-KEEP_POINTS) : all
}

export const useClocksStore = defineStore('clocks', () => {
  const report = shallowRef<ClocksReport | null>(null)
  const error = ref<string | null>(null)
  const reference = ref('realtime')
  const samples = shallowRef<OffsetSample[]>([])
  let first: { at: number; offsets: Record<string, number> } | null = null
  let timer: ReturnType<typeof setInterval> | undefined

  /** The live sources' status (their points are in `points`), the lab clock's, and ports. */
  const sources = shallowRef<Omit<LiveSourceStatus, 'points'>[]>([])
  const points = shallowRef<Record<string, SourcePoint[]>>({})
  const labClock = shallowRef<Omit<LabClockStatus, 'points'> | null>(null)
  const labPoints = shallowRef<LabClockPoint[]>([])
  const sourcesError = ref<string | null>(null)
  const ports = shallowRef<SerialPortListing | null>(null)
  let seq = 0

  const available = computed(() => report.value?.clocks.filter((c) => c.available) ?? [])
  /** The clocks charted against the reference. */
  const compared = computed(() => available.value.filter((c) => c.id !== reference.value))

  function offsetsOf(r: ClocksReport): Record<string, number> {
    const ref = r.clocks.find((c) => c.id === reference.value && c.available)
    const out: Record<string, number> = {}
    if (ref?.ms === undefined) return out
    for (const c of r.clocks) if (c.available && c.ms !== undefined) out[c.id] = c.ms - ref.ms
    return out
  }

  async function read(): Promise<void> {
    try {
      const r = await api().readClocks()
      report.value = r
      error.value = null
      const offsets = offsetsOf(r)
      const at = performance.now()
      first ??= { at, offsets }
      const rel: Record<string, number> = {}
      for (const [id, v] of Object.entries(offsets))
        if (first.offsets[id] !== undefined) rel[id] = v - first.offsets[id]
      samples.value = [...samples.value, { t: (at - first.at) / 1000, offsets: rel }].slice(-KEEP)
    } catch (err) {
      error.value = errorText(err)
    }
    await readSources()
  }

  async function readSources(): Promise<void> {
    try {
      const r = await api().readTimeSources(seq)
      seq = r.seq
      const next: Record<string, SourcePoint[]> = {}
      for (const s of r.sources) next[s.id] = append(points.value[s.id] ?? [], s.points)
      points.value = next
      sources.value = r.sources.map(({ points: _, ...s }) => s)
      const { points: lab, ...status } = r.labClock
      labClock.value = status
      labPoints.value = append(labPoints.value, lab)
      sourcesError.value = null
    } catch (err) {
      sourcesError.value = errorText(err)
    }
  }

  /** Adds a source; throws with a message to show if the engine refuses it. */
  async function addSource(spec: TimeSourceSpec): Promise<void> {
    await api().addTimeSource(spec)
    await readSources()
  }

  async function removeSource(id: string): Promise<void> {
    await api().removeTimeSource(id)
    await readSources()
  }

  async function setLabReference(reference: string): Promise<void> {
    await api().setLabClockReference(reference)
    await readSources()
  }

  async function findPorts(): Promise<void> {
    try {
      ports.value = await api().listSerialPorts()
    } catch (err) {
      sourcesError.value = errorText(err)
    }
  }

  function start(): void {
    if (timer !== undefined) return
    void read()
    timer = setInterval(() => void read(), PERIOD_MS)
  }

  function stop(): void {
    clearInterval(timer)
    timer = undefined
  }

  /**
   * Each compared clock's latest offset and its drift against the reference: the slope of a
   * least-squares line through the last minute of offsets, in ppm (µs per s).
   */
  const drift = computed(() =>
    compared.value.map((c) => {
      const points = samples.value.slice(-60).flatMap((s) => {
        const y = s.offsets[c.id]
        return y === undefined ? [] : [{ x: s.t, y }]
      })
      return { id: c.id, label: c.label, offset: points.at(-1)?.y, ppm: slope(points) * 1000 }
    }),
  )

  /** Charts against another clock, from a fresh start. */
  function setReference(id: string): void {
    reference.value = id
    first = null
    samples.value = []
  }

  return {
    report,
    error,
    reference,
    samples,
    available,
    compared,
    drift,
    start,
    stop,
    setReference,
    read,
    sources,
    points,
    labClock,
    labPoints,
    sourcesError,
    ports,
    addSource,
    removeSource,
    setLabReference,
    findPorts,
  }
})

/** The least-squares slope of y over x (NaN for fewer than two points). */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length
  if (n < 2) return NaN
  const mx = points.reduce((a, p) => a + p.x, 0) / n
  const my = points.reduce((a, p) => a + p.y, 0) / n
  let num = 0
  let den = 0
  for (const p of points) {
    num += (p.x - mx) * (p.y - my)
    den += (p.x - mx) ** 2
  }
  return den === 0 ? NaN : num / den
}
