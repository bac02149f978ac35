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

/** Live time sources (the Clocks view): a source to add. */
export type TimeSourceSpec =
  /** An NTP server, HOST or HOST:PORT. */
  | { kind: 'ntp'; address: string }
  /** A GPS receiver speaking NMEA on a serial port. */
  | { kind: 'gps'; path: string; baudRate?: number }
  /** gpsd, HOST or HOST:PORT (default port 2947). */
  | { kind: 'gpsd'; address: string }

/** Serial ports a GPS receiver may be on, and how they were found. */
export interface SerialPortListing {
  ports: { path: string; description: string }[]
  method: string
}

/** One sample of a live source, for its charts. */
export interface SourcePoint {
  /** Increases across every source and the lab clock: ask for points after the last seen. */
  seq: number
  /** Seconds since the engine began following time sources. */
  t: number
  /** The source's offset from this machine's wall clock (reference − local), ms. */
  offsetMs: number
  delayMs: number
  /** The drift estimate then: the local oscillator against this source, ppm, ± half-width. */
  driftPpm?: number
  driftHalfWidthPpm?: number
}

export interface LiveSourceStatus {
  id: string
  kind: TimeSourceSpec['kind']
  label: string
  /** connecting, running, lost (gone or not answering; retrying), closed. */
  state: 'connecting' | 'running' | 'lost' | 'closed'
  /** What is wrong, in words, while something is. */
  problem?: string
  stratum?: number
  refid?: string
  offsetMs?: number
  delayMs?: number
  /** RMS of successive offset differences over the last samples, ms. */
  jitterMs?: number
  drift?: { ppm: number; halfWidthPpm: number; confidence: number; points: number }
  samples: number
  /** Seconds since the last sample. */
  lastSampleAgeS?: number
  /** Bad input and lost connections, counted by type. */
  errors: Record<string, number>
  /** Whether the lab clock follows this source now. */
  followed: boolean
  /** Points after the `since` asked for. */
  points: SourcePoint[]
}

/** One correction of the lab clock, as it followed its reference. */
export interface LabClockPoint {
  seq: number
  t: number
  /** The lab clock's offset from the reference before this correction (reference − lab), ms. */
  offsetMs: number
  /** step, slew, or none (nothing to correct). */
  action: 'step' | 'slew' | 'none'
  /** The slew rate in force when the sample came, ppm: an earlier slew not yet absorbed. */
  slewPpm: number
  source: string
}

/** ClockLab's own software clock (src/time/lab-clock.ts), never the system clock. */
export interface LabClockStatus {
  /** 'best' (the best fresh source) or a source's id. */
  reference: string
  /** The source it follows now, and the stratum that gives this host. */
  following?: string
  stratum?: number
  offsetMs?: number
  slewPpm: number
  steps: number
  policy: { stepThresholdMs: number; maxSlewPpm: number }
  points: LabClockPoint[]
}

export interface TimeSourcesReport {
  sources: LiveSourceStatus[]
  labClock: LabClockStatus
  /** The newest point's seq: pass it as `since` next time. */
  seq: number
}

/** The live lab (LAN view): how to join one. The passphrase is never sent back. */
export interface LanJoinRequest {
  lab: string
  passphrase: string
  /** How peers see this workstation (default: its peer id's start). */
  name?: string
  /** Network interface, by name or address (default: the first non-loopback). */
  iface?: string
  /** Loopback mode (tests, machines without multicast): the peers' ports on 127.0.0.1. */
  seeds?: number[]
  /** This peer's unicast port (0 or absent: any free one; loopback mode needs one of the seeds). */
  port?: number
  /** An external time reference for this peer: ntp:HOST[:PORT], gps:/dev/ttyX, gpsd[:HOST:PORT]. */
  reference?: string
  heartbeatMs?: number
  timeoutMs?: number
}

/** A peer of the lab as this workstation sees it. */
export interface LanPeerInfo {
  id: string
  name: string
  address: string
  port: number
  /** Which boot of the peer this is: it changes when its process restarts. */
  epoch: string
  self: boolean
  /** alive; suspected (silent for over two heartbeats); crashed (silent past the timeout); left. */
  health: 'alive' | 'suspected' | 'crashed' | 'left'
  /** How long ago it was last heard, ms. */
  lastHeardMs: number
  /** Its stratum, from its reference or from the last sync run that showed it. */
  stratum?: number
}

/** The external reference of this peer (a reference peer). */
export interface LanReferenceInfo {
  spec: string
  source: string
  state: 'connecting' | 'running' | 'lost' | 'closed'
  samples: number
  sourceStratum?: number
  /** This peer's stratum: the source's + 1. */
  stratum?: number
  refid?: string
  /** The lab clock's offset from the reference at the last sample, ms. */
  offsetMs?: number
  lastError?: string
}

/** Faults on one node's link to another node, set at run time. */
export interface LanLinkFaults {
  /** Probability of losing a message, 0..1. */
  drop?: number
  /** Extra delay, ms. */
  delayMs?: number
  /** Random extra delay on top, 0..jitterMs ms (each link keeps its order). */
  jitterMs?: number
  /** Probability of sending a message twice, 0..1. */
  duplicate?: number
  /** Cut the link: outgoing messages, incoming ones, or both. */
  cut?: 'out' | 'in' | 'both'
}

export interface LanExperimentRequest {
  algorithm: string
  params?: Record<string, unknown>
  durationMs: number
  /** Random commands per node per second (0: no workload). */
  workloadRate?: number
  seed?: number
  /** Link faults from the start: node → (peer node → faults). */
  faults?: Record<string, Record<string, LanLinkFaults>>
}

export interface LanExperimentInfo {
  id: string
  algorithm: string
  family: string
  params: Record<string, unknown>
  /** The peers taking part, as node 0, 1, ... (sorted by peer id). */
  nodes: string[]
  starter: string
  startedHere: boolean
  /** This workstation's node in it, if it runs one. */
  selfNode?: number
  durationMs: number
  /** When it started, ms since the Unix epoch (this machine's clock). */
  startedAt: number
  state: 'running' | 'collecting' | 'done' | 'failed'
  error?: string
}

export interface LanSyncNode {
  node: number
  name: string
  samples: number
  /** (seconds since the run started, measured offset ms): local − source. */
  offsets: [number, number][]
  /** (seconds, drift estimate ppm). */
  drift: [number, number][]
  offsetMs?: number
  errorMs?: number
  driftPpm?: number
  /** The node it synchronized to (its server, or its system peer). */
  parent?: number
  stratum?: number
  /** The external reference it read (a reference peer's source). */
  reference?: string
}

export interface LanSyncView {
  nodes: LanSyncNode[]
  hasReference: boolean
}

/** An experiment as the LAN view shows it; the trace comes when it changed (`version`). */
export interface LanExperimentView {
  info: LanExperimentInfo
  version: number
  meta: TraceMeta
  /** The merged trace so far, local times from the run's start (absent: unchanged)... */
  events?: TraceEvent[]
  /** ...replacing the trace from this position on (absent: from the start). */
  from?: number
  /** The run has more events than the live view shows (the recording has them all). */
  truncated?: boolean
  /** Records received per node. */
  received: number[]
  /** Link faults in force: node → (peer node → faults); crashed nodes. */
  faults: Record<string, Record<string, LanLinkFaults>>
  crashed: number[]
  verdicts?: Verdict[]
  sync?: LanSyncView
  /** Nodes whose record is missing or was cut, once done. */
  problems?: string[]
}

export interface LanStatus {
  joined: boolean
  lab?: string
  self?: { id: string; name: string; address: string; port: number; epoch: string }
  mode?: 'multicast' | 'loopback'
  peers: LanPeerInfo[]
  experiments: LanExperimentInfo[]
  reference?: LanReferenceInfo
  /** Recent lab events, newest last, in words. */
  log: string[]
}

/** A run-time fault on one node of an experiment. */
export interface LanFaultRequest {
  node: number
  /** Set the faults of this node's link to node `to` (an empty object clears them). */
  link?: { to: number; faults: LanLinkFaults }
  crash?: boolean
  restart?: boolean
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
  /** Live time sources: serial ports to offer, add and remove a source, their state. */
  listSerialPorts(): Promise<SerialPortListing>
  addTimeSource(spec: TimeSourceSpec): Promise<string>
  removeTimeSource(id: string): Promise<void>
  readTimeSources(since: number): Promise<TimeSourcesReport>
  /** What the lab clock follows: 'best' or a source's id. */
  setLabClockReference(reference: string): Promise<void>
  /** The live lab (LAN view): join and leave, its state (polled), experiments and faults. */
  lanJoin(req: LanJoinRequest): Promise<LanStatus>
  lanLeave(): Promise<void>
  lanStatus(): Promise<LanStatus>
  lanStart(req: LanExperimentRequest): Promise<LanExperimentInfo>
  /** An experiment; its trace is sent only if its version is not `version`. */
  lanExperiment(id: string, version: number): Promise<LanExperimentView>
  lanFault(id: string, req: LanFaultRequest): Promise<void>
  /** A finished experiment as a recording (Recordings), or replayed in the simulator. */
  lanRecording(id: string): Promise<RunInfo>
  lanReplay(id: string): Promise<RunInfo>
}
