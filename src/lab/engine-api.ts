// The ClockLab API implemented on the engine: the algorithm registry, the scenario library,
// the simulator (runs in worker threads, held by a RunStore) and this machine's clocks.
// Both shells (Electron main, the web view server) serve this object; callers validate
// input with callApi() from ./api first.
import { algorithms } from '../algorithms/registry'
import { runScenario } from '../sim/run'
import { ScenarioSchema } from '../sim/scenario'
import type {
  AlgorithmInfo,
  ClockLabApi,
  ClocksReport,
  ExportFormatName,
  RunInfo,
  RunPage,
  RunRequest,
  ScenarioSummary,
  SimRequest,
  SimResult,
} from './api'
import { readClocks } from './clocks'
import type { ExportFormat } from './export/index'
import { buildScenario } from './runs/build-scenario'
import { RunStore } from './runs/run-store'
import { sourceWorker, type SpawnWorker } from './runs/spawn-worker'
import { loadScenarioFile, scenarioFiles, SCENARIO_DIR } from './scenarios'
import { TimeSources } from './time-sources'
import { lanApi } from './lan-api'
import { LanSession } from './lan-session'

// Compiles only while the API's list of export formats is the exporters' list.
type _FormatsAgree = Assert<Identical<ExportFormatName, ExportFormat>>
type Assert<T extends true> = T
type Identical<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

export interface EngineApiOptions {
  /** Reported by version(); the Electron shell passes app.getVersion(). */
  version?: string
  /** Starts run workers; the Electron build passes one for its bundled worker. */
  spawnWorker?: SpawnWorker
  /** Where the shipped scenarios are (a packaged app keeps them among its resources). */
  scenarioDir?: string
}

/** The engine behind the API; a shell calls `warm()` at start and `close()` when it exits. */
export type EngineApi = ClockLabApi & {
  /** Boots a run worker ahead of the first run. */
  warm(): void
  /** Stops the run workers. */
  close(): void
}

export function createEngineApi(options: EngineApiOptions = {}): EngineApi {
  const version = options.version ?? process.env.npm_package_version ?? 'unknown'
  const scenarioDir = options.scenarioDir ?? SCENARIO_DIR
  const runs = new RunStore(options.spawnWorker ?? sourceWorker)
  const timeSources = new TimeSources()
  const lan = new LanSession()
  return {
    async version(): Promise<string> {
      return version
    },

    async listAlgorithms(): Promise<AlgorithmInfo[]> {
      return algorithms.map(({ name, family, summary }) => ({ name, family, summary }))
    },

    async runSimulation(req: SimRequest): Promise<SimResult> {
      const { stats, trace } = runScenario(ScenarioSchema.parse(req), { record: true })
      return { events: stats.events, messages: stats.messages, traceJson: JSON.stringify(trace) }
    },

    async listScenarios(): Promise<ScenarioSummary[]> {
      return scenarioFiles(scenarioDir).map(({ name, file }) => {
        try {
          const s = loadScenarioFile(file)
          return {
            name,
            algorithm: s.algorithm,
            nodes: s.nodes,
            seed: s.seed,
            until: s.until,
            ...(s.description !== undefined ? { description: s.description } : {}),
            ...(s.observe !== undefined ? { observe: s.observe } : {}),
          }
        } catch (err) {
          return { name, algorithm: '', nodes: 0, seed: 0, until: 0, error: (err as Error).message }
        }
      })
    },

    async startRun(req: RunRequest): Promise<RunInfo> {
      const { scenario, label } = buildScenario(req, scenarioDir)
      return runs.simulate(scenario, label)
    },

    async runPage(id: string, from: number, max: number): Promise<RunPage> {
      return runs.page(id, from, max)
    },

    async cancelRun(id: string): Promise<void> {
      runs.cancel(id)
    },

    async openTrace(text: string, fileName: string): Promise<RunInfo> {
      return runs.open(text, fileName)
    },

    async exportRun(id: string, format: ExportFormat): Promise<string> {
      return runs.exportRun(id, format)
    },

    async readClocks(): Promise<ClocksReport> {
      return readClocks(undefined, timeSources)
    },

    listSerialPorts: () => timeSources.listSerialPorts(),
    addTimeSource: (spec) => timeSources.add(spec),
    removeTimeSource: (id) => timeSources.remove(id),
    readTimeSources: async (since) => timeSources.report(since),
    setLabClockReference: async (reference) => timeSources.setReference(reference),
    ...lanApi(lan, runs),

    warm(): void {
      runs.warm()
    },

    close(): void {
      runs.close()
      void timeSources.close()
      void lan.close()
    },
  }
}
