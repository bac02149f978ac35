// `clocklab sim`: run an algorithm or a scenario in the simulator, optionally
// export the trace (JSON, ShiViz, CSV) and print the checkers' verdicts.
import { existsSync } from 'node:fs'
import { extname } from 'node:path'
import { algorithmRegistry } from '../algorithms/registry'
import { InputError } from '../core/errors'
import type { TraceEvent } from '../core/trace'
import { createExporter, EXPORT_FORMATS, type ExportFormat } from '../lab/export/index'
import { findScenario, listScenarios, loadScenarioFile } from '../lab/scenarios'
import { formatIssue } from '../core/issues'
import { runScenario } from '../sim/run'
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../sim/scenario'
import { Output } from './output'
import { applyParamFlags } from './param-flags'
import { RunProgress } from './progress'
import { formatSummary } from './summary'
import { textDiagram } from './text-diagram'

export interface SimFlags {
  nodes?: number
  seed?: number
  until?: number
  maxEvents?: number
  export?: ExportFormat
  out?: string
  check?: boolean
  diagram?: number
  quiet?: boolean
  /** Algorithm parameters, `name=value` (param-flags.ts). */
  param?: string[]
}

const FLAG_FOR: Record<string, string> = {
  nodes: '--nodes',
  seed: '--seed',
  until: '--until',
  maxEvents: '--max-events',
}

/** A scenario from a file, a shipped scenario's name, or an algorithm's name, with flags applied. */
export function resolveTarget(target: string, flags: SimFlags): Scenario {
  let base: ScenarioInput
  if (existsSync(target) || ['.yaml', '.yml', '.json'].includes(extname(target)))
    base = loadScenarioFile(target)
  else if (algorithmRegistry.has(target)) base = byAlgorithm(target, flags)
  else {
    const file = findScenario(target)
    if (file === undefined)
      throw new InputError(
        `unknown algorithm or scenario '${target}' (algorithms: ${[...algorithmRegistry.keys()].join(', ')}; scenarios: ${listScenarios()
          .map((s) => s.name)
          .join(', ')})`,
      )
    base = loadScenarioFile(file)
  }
  const algorithm = algorithmRegistry.get(base.algorithm)
  if (algorithm !== undefined)
    base = { ...base, params: applyParamFlags(algorithm, base.params ?? {}, flags.param ?? []) }
  else if ((flags.param ?? []).length > 0)
    throw new InputError(`${target}: unknown algorithm '${base.algorithm}' takes no parameters`)
  const overrides: Partial<ScenarioInput> = {}
  for (const key of ['nodes', 'seed', 'until', 'maxEvents'] as const)
    if (flags[key] !== undefined) overrides[key] = flags[key]
  // Node counts from flags resize a scenario built for an algorithm; names then no longer fit.
  const merged = { ...base, ...overrides }
  if (overrides.nodes !== undefined && base.names && base.names.length !== overrides.nodes)
    delete merged.names
  const result = ScenarioSchema.safeParse(merged, { reportInput: true })
  if (!result.success) {
    const issue = result.error.issues[0]
    const head = issue.path[0]
    const flag = typeof head === 'string' && head in overrides ? FLAG_FOR[head] : undefined
    throw new InputError(flag ? `${flag}: ${issue.message}` : `${target}: ${formatIssue(issue)}`)
  }
  return result.data
}

/**
 * A run of an algorithm by name: no scenario, so as many nodes as its params need (at
 * least the scenario default, 3) and as long as the algorithm says, unless flags say.
 */
function byAlgorithm(name: string, flags: SimFlags): ScenarioInput {
  const algorithm = algorithmRegistry.get(name)!
  const params = applyParamFlags(algorithm, {}, flags.param ?? [])
  const parsed = algorithm.params?.safeParse(params)
  const need = parsed?.success ? (algorithm.minNodes?.(parsed.data) ?? 0) : 0
  return {
    algorithm: name,
    ...(need > 3 ? { nodes: need } : {}),
    ...(algorithm.defaultUntil !== undefined ? { until: algorithm.defaultUntil } : {}),
  }
}

export function exportFormatFor(flags: SimFlags): ExportFormat | undefined {
  if (flags.export !== undefined || flags.out === undefined) return flags.export
  const byExtension: Record<string, ExportFormat> = {
    '.json': 'json',
    '.csv': 'csv',
    '.log': 'shiviz',
    '.shiviz': 'shiviz',
  }
  const format = byExtension[extname(flags.out)]
  if (format === undefined)
    throw new InputError(
      `--out ${flags.out}: say --export ${EXPORT_FORMATS.join('|')} (no format for this extension)`,
    )
  return format
}

export function simCommand(target: string, flags: SimFlags): number {
  const scenario = resolveTarget(target, flags)
  const format = exportFormatFor(flags)
  const output = format ? Output.open(flags.out) : undefined
  const log = (text: string): void => {
    if (flags.quiet) return
    // Keep standard output clean when the trace itself goes there.
    if (output?.isStdout) process.stderr.write(text + '\n')
    else process.stdout.write(text + '\n')
  }
  const shown: TraceEvent[] = []
  const sinks = flags.diagram
    ? [(e: TraceEvent) => void (shown.length < (flags.diagram as number) && shown.push(e))]
    : []
  const progress = new RunProgress(scenario.until, scenario.maxEvents)
  let exporter: ReturnType<typeof createExporter> | undefined
  const result = runScenario(scenario, {
    check: true,
    sinks: [
      ...sinks,
      (e) => {
        exporter?.sink(e)
      },
    ],
    onStart: (meta) => {
      if (format && output) exporter = createExporter(format, meta, output.write)
    },
    onProgress: progress.update,
  })
  progress.stop()
  exporter?.end()
  output?.close()
  if (scenario.observe) log(`Observe: ${scenario.observe.trim()}\n`)
  if (flags.diagram) log(textDiagram(result.meta, shown) + '\n')
  log(formatSummary(result.meta, result.stats, result.verdicts ?? [], flags.check ?? false))
  if (format && flags.out) log(`  wrote ${format} to ${flags.out}`)
  const failed = (result.verdicts ?? []).some((v) => !v.ok)
  return flags.check && failed ? 1 : 0
}
