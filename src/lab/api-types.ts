// The typed API's contract as plain types: what each method takes and returns. The
// renderer builds against this file alone (it pulls in no engine code); ./api holds the
// schemas that validate every call and checks that they describe exactly these types.
import type { Verdict } from '../check/checker'
import type { TraceEvent, TraceMeta } from '../core/trace'

export interface AlgorithmInfo {
  name: string
  family: string
  summary: string
}

export interface SimRequest {
  algorithm: string
  nodes: number
  seed: number
  /** Virtual time to simulate, in ms. */
  until: number
}

export interface SimResult {
  events: number
  messages: number
  /** The run's trace, serialized (the versioned JSON trace format). */
  traceJson: string
}

/** One fault at a simulated time: exactly one of crash, recover, partition or heal. */
export interface RunFault {
  at: number
  crash?: number
  recover?: number
  partition?: number[][]
  heal?: true
}

/**
 * A run of the simulator: an algorithm with default settings or a shipped scenario, with
 * the form's changes on top. Fields left out keep the scenario's (or the defaults').
 */
export interface RunRequest {
  algorithm?: string
  scenario?: string
  nodes?: number
  seed?: number
  /** Virtual time to simulate, in ms. */
  until?: number
  maxEvents?: number
  /** Every link of the network: a uniform delay (both ends, ms), loss and duplicate chance. */
  network?: { delayMin?: number; delayMax?: number; loss?: number; duplicate?: number }
  /** Random commands per node per second; 0 turns the workload off. */
  workloadRate?: number
  /** Added to the scenario's own fault schedule. */
  faults?: RunFault[]
}

/** A shipped teaching scenario, as the simulator's picker lists it. */
export interface ScenarioSummary {
  name: string
  /** Empty when the file has an error. */
  algorithm: string
  description?: string
  /** What a student should look for. */
  observe?: string
  nodes: number
  seed: number
  until: number
  /** Why the file cannot be run (it does not parse or validate). */
  error?: string
}

/** A run or an opened recording the engine holds; its events come by runPage. */
export interface RunInfo {
  id: string
  /** What to call it: the scenario, the algorithm or the file's name. */
  label: string
  origin: 'simulation' | 'recording'
  meta: TraceMeta
  /** Simulated time the run goes to, ms (a recording: the time of its last event). */
  until: number
  /** The most events this run will have. */
  maxEvents: number
  observe?: string
}

/** How a finished simulation went (the simulator's own statistics). */
export interface RunStats {
  /** True time reached, ms. */
  time: number
  events: number
  /** Messages put on the wire: one per destination. */
  messages: number
  delivered: number
  dropped: number
  duplicated: number
  /** Whether the run ended because nothing was left to happen. */
  quiescent: boolean
}

/** Events [from, from + events.length) of a run, and where the run stands. */
export interface RunPage {
  events: TraceEvent[]
  /** Events available so far. */
  total: number
  done: boolean
  /** Set once a simulation is done. */
  stats?: RunStats
  /** Every checker's verdict, once done. */
  verdicts?: Verdict[]
  /** Why the run stopped early (it failed, or was cancelled). */
  error?: string
}

export type ExportFormatName = 'json' | 'shiviz' | 'csv'

/** One clock of this machine, read now. */
export interface ClockReading {
  id: string
  label: string
  /** What the clock counts, in a sentence. */
  description: string
  available: boolean
  /** The reading in ms: since the Unix epoch for wall clocks, since an arbitrary start otherwise. */
  ms?: number
  /** Why the clock cannot be read here. */
  reason?: string
}

/** The kernel's clock discipline (adjtimex, read only). */
export interface KernelClockState {
  available: boolean
  reason?: string
  synchronized?: boolean
  offsetMs?: number
  frequencyPpm?: number
  maxErrorMs?: number
  estErrorMs?: number
  status?: string[]
}

export interface RtcReading {
  available: boolean
  reason?: string
  device?: string
  /** The RTC's time, ms since the Unix epoch. */
  ms?: number
}

/** A time reference in the stratum hierarchy (GPS, an NTP server, a LAN peer). */
export interface TimeSourceInfo {
  id: string
  label: string
  kind: string
  stratum: number
  reachable: boolean
  /** The id of the source this one takes its time from. */
  parent?: string
  offsetMs?: number
  delayMs?: number
}

export interface ClocksReport {
  host: string
  /** Where the readings come from: Node's own clocks, or ClockLab's time room (src/time). */
  backend: string
  clocks: ClockReading[]
  rtc: RtcReading
  kernel: KernelClockState
  sources: TimeSourceInfo[]
}

export interface ClockLabApi {
  version(): Promise<string>
  listAlgorithms(): Promise<AlgorithmInfo[]>
  /** Runs to the end and returns the whole trace at once (small runs; the CLI's way). */
  runSimulation(req: SimRequest): Promise<SimResult>
  listScenarios(): Promise<ScenarioSummary[]>
  /** Starts a run off the calling thread; resolves once it is validated and under way. */
  startRun(req: RunRequest): Promise<RunInfo>
  runPage(id: string, from: number, max: number): Promise<RunPage>
  cancelRun(id: string): Promise<void>
  /** Validates a recorded trace (the JSON format) and holds it like a finished run. */
  openTrace(text: string, fileName: string): Promise<RunInfo>
  exportRun(id: string, format: ExportFormatName): Promise<string>
  readClocks(): Promise<ClocksReport>
}
