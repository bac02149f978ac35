// Turns an API run request (an algorithm or a shipped scenario, plus the simulator form's
// changes) into a validated scenario. Errors name the field, in one line.
import { InputError } from '../../core/errors'
import { formatIssue } from '../../core/issues'
import { resolveAlgorithm } from '../../sim/run'
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../../sim/scenario'
import { DEFAULT_RUN_EVENTS, MAX_RUN_EVENTS, type RunRequest } from '../api'
import { findScenario, loadScenarioFile, scenarioFiles, SCENARIO_DIR } from '../scenarios'

export interface BuiltScenario {
  scenario: Scenario
  /** The scenario's or the algorithm's name. */
  label: string
}

export function buildScenario(req: RunRequest, dir = SCENARIO_DIR): BuiltScenario {
  let base: ScenarioInput
  let label: string
  if (req.scenario !== undefined) {
    const file = findScenario(req.scenario, dir)
    if (file === undefined)
      throw new InputError(
        `unknown scenario '${req.scenario}' (shipped: ${scenarioFiles(dir)
          .map((s) => s.name)
          .join(', ')})`,
      )
    base = loadScenarioFile(file)
    label = req.scenario
  } else {
    base = { algorithm: req.algorithm! }
    label = req.algorithm!
  }
  resolveAlgorithm(base.algorithm)

  const merged: ScenarioInput = { ...base }
  if (req.nodes !== undefined) {
    merged.nodes = req.nodes
    if (base.names && base.names.length !== req.nodes) delete merged.names
  }
  if (req.seed !== undefined) merged.seed = req.seed
  if (req.until !== undefined) merged.until = req.until
  merged.maxEvents = Math.min(req.maxEvents ?? base.maxEvents ?? DEFAULT_RUN_EVENTS, MAX_RUN_EVENTS)
  if (req.network !== undefined) {
    const { delayMin, delayMax, loss, duplicate } = req.network
    const link = {
      ...(delayMin !== undefined && delayMax !== undefined
        ? { delay: { dist: 'uniform' as const, min: delayMin, max: delayMax } }
        : {}),
      ...(loss !== undefined ? { loss } : {}),
      ...(duplicate !== undefined ? { duplicate } : {}),
    }
    const network = base.network ?? {}
    merged.network = { ...network, default: { ...network.default, ...link } }
  }
  if (req.workloadRate !== undefined)
    merged.workload =
      req.workloadRate === 0 ? false : { ...(base.workload || {}), rate: req.workloadRate }
  if (req.faults !== undefined) merged.faults = [...(base.faults ?? []), ...req.faults]

  const result = ScenarioSchema.safeParse(merged, { reportInput: true })
  if (!result.success) throw new InputError(`${label}: ${formatIssue(result.error.issues[0])}`)
  return { scenario: result.data, label }
}
