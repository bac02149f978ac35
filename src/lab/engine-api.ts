// The ClockLab API implemented on the engine: the algorithm registry and the simulator.
// Both shells (Electron main, the web view server) serve this object; callers validate
// input with callApi() from ./api first.
import { algorithms } from '../algorithms/registry'
import { runScenario } from '../sim/run'
import { ScenarioSchema } from '../sim/scenario'
import type { AlgorithmInfo, ClockLabApi, SimRequest, SimResult } from './api'

export interface EngineApiOptions {
  /** Reported by version(); the Electron shell passes app.getVersion(). */
  version?: string
}

export function createEngineApi(options: EngineApiOptions = {}): ClockLabApi {
  const version = options.version ?? process.env.npm_package_version ?? 'unknown'
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
  }
}
