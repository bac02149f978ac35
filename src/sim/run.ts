// Running a scenario: look the algorithm up, validate its parameters and the
// scenario's commands against the algorithm's own schemas, then drive the
// simulator with the caller's sinks, online checkers and an optional recording.
import type { z } from 'zod'
import { algorithmRegistry } from '../algorithms/registry'
import type { Verdict } from '../check/checker'
import { OnlineChecks } from '../check/index'
import { InputError } from '../core/errors'
import type { AnyAlgorithm } from '../core/process'
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  type Trace,
  type TraceMeta,
  type TraceSink,
} from '../core/trace'
import type { Scenario } from './scenario'
import { Simulator, type SimStats } from './simulator'
import { formatIssue } from '../core/issues'

export function resolveAlgorithm(name: string): AnyAlgorithm {
  const a = algorithmRegistry.get(name)
  if (a === undefined)
    throw new InputError(
      `unknown algorithm '${name}' (known: ${[...algorithmRegistry.keys()].join(', ')})`,
    )
  return a
}

function validate<T>(schema: z.ZodType<T>, value: unknown, where: (string | number)[]): T {
  const r = schema.safeParse(value, { reportInput: true })
  if (!r.success) throw new InputError(formatIssue(r.error.issues[0], where))
  return r.data
}

/** Builds a simulator for a validated scenario; throws InputError for bad params or commands. */
export function createSimulator(scenario: Scenario, sinks: TraceSink[] = []): Simulator {
  const algorithm = resolveAlgorithm(scenario.algorithm)
  const params = algorithm.params ? validate(algorithm.params, scenario.params, ['params']) : {}
  if (!algorithm.params && Object.keys(scenario.params).length > 0)
    throw new InputError(`params: ${algorithm.name} takes no parameters`)
  const minNodes = algorithm.minNodes?.(params) ?? 1
  if (scenario.nodes < minNodes)
    throw new InputError(
      `nodes: ${algorithm.name} needs at least ${minNodes} nodes with these params, got ${scenario.nodes}`,
    )
  const commands = scenario.commands.map((c, k) => ({
    ...c,
    command: algorithm.commands
      ? validate(algorithm.commands, c.command, ['commands', k, 'command'])
      : c.command,
  }))
  return new Simulator({ ...scenario, commands }, algorithm, { sinks, params })
}

/** Events between progress reports: often enough for a smooth bar, rare enough to cost nothing. */
const PROGRESS_EVERY = 5000

export interface RunOptions {
  /** Extra consumers of the trace (exporters, progress). */
  sinks?: TraceSink[]
  /** Run the checkers online. */
  check?: boolean
  /** Keep every event in memory and return the trace. */
  record?: boolean
  /** Called once before the first event, e.g. to open an exporter for this run's meta. */
  onStart?: (meta: TraceMeta) => void
  onProgress?: (stats: Readonly<SimStats>) => void
}

export interface RunResult {
  meta: TraceMeta
  stats: SimStats
  verdicts?: Verdict[]
  trace?: Trace
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const sinks: TraceSink[] = [...(options.sinks ?? [])]
  const events: Trace['events'] = []
  if (options.record) sinks.push((e) => events.push(e))
  let checks: OnlineChecks | undefined
  const sim = createSimulator(scenario, sinks)
  if (options.check) {
    checks = new OnlineChecks(sim.meta)
    sim.addSink(checks.onEvent)
  }
  options.onStart?.(sim.meta)
  const stats = sim.run(options.onProgress, PROGRESS_EVERY)
  return {
    meta: sim.meta,
    stats,
    ...(checks ? { verdicts: checks.verdicts() } : {}),
    ...(options.record
      ? { trace: { format: TRACE_FORMAT, version: TRACE_VERSION, meta: sim.meta, events } }
      : {}),
  }
}
