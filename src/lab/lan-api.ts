// The LAN view's methods of the typed API, on the engine: a thin layer over the engine's one
// LanSession (lan-session.ts), plus the two ways out of a finished experiment: its merged
// trace as a recording (Recordings) and a simulator replay of it (replay.ts), both held by
// the engine's RunStore like any other run.
import { ScenarioSchema } from '../sim/scenario'
import type { ClockLabApi } from './api-types'
import type { LanSession } from './lan-session'
import { scenarioFromLiveTrace } from './replay'
import type { RunStore } from './runs/run-store'

type LanMethods = Pick<
  ClockLabApi,
  | 'lanJoin'
  | 'lanLeave'
  | 'lanStatus'
  | 'lanStart'
  | 'lanExperiment'
  | 'lanFault'
  | 'lanRecording'
  | 'lanReplay'
>

export function lanApi(session: LanSession, runs: RunStore): LanMethods {
  return {
    lanJoin: (req) => session.join(req),
    lanLeave: () => session.leave(),
    lanStatus: async () => session.status(),
    lanStart: async (req) => session.start(req),
    lanExperiment: async (id, version) => session.view(id, version),
    lanFault: async (id, req) => session.fault(id, req),
    lanRecording: (id) => {
      const trace = session.viewTrace(id)
      return runs.open(JSON.stringify(trace), `lan-${trace.meta.algorithm}-${id}.json`)
    },
    lanReplay: (id) => {
      const scenario = ScenarioSchema.parse(scenarioFromLiveTrace(session.trace(id), id))
      return runs.simulate(scenario, `replay of ${id}`)
    },
  }
}
