// Runs the tests export: real simulations with every kind of fault, a probe
// algorithm whose names and payloads are hostile to line- and comma-based
// formats, and a helper that streams a trace through an exporter.
import { defineAlgorithm, type NodeId } from '../../../src/core/process'
import type { Trace, TraceEvent } from '../../../src/core/trace'
import { TRACE_FORMAT, TRACE_VERSION } from '../../../src/core/trace'
import { createExporter, type ExportFormat } from '../../../src/lab/export/index'
import { runScenario } from '../../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../../src/sim/scenario'
import { Simulator } from '../../../src/sim/simulator'

/** Four nodes, random workload, lossy and duplicating links, a crash and recovery, a partition and heal. */
export function faultyRun(
  algorithm: 'lamport' | 'vector',
  extra: Partial<ScenarioInput> = {},
): ScenarioInput {
  return {
    algorithm,
    nodes: 4,
    seed: 7,
    until: 3000,
    workload: { rate: 20 },
    network: { default: { loss: 0.1, duplicate: 0.1 } },
    faults: [
      { at: 500, crash: 1 },
      { at: 900, recover: 1 },
      {
        at: 1200,
        partition: [
          [0, 1],
          [2, 3],
        ],
      },
      { at: 1800, heal: true },
    ],
    ...extra,
  }
}

export function record(input: ScenarioInput): Trace {
  const { trace } = runScenario(ScenarioSchema.parse(input), { record: true })
  if (trace === undefined) throw new Error('runScenario recorded no trace')
  return trace
}

/** Streams the trace's events through an exporter and returns what it wrote. */
export function exportTrace(trace: Trace, format: ExportFormat): string {
  const chunks: string[] = []
  const exporter = createExporter(format, trace.meta, (chunk) => chunks.push(chunk))
  for (const e of trace.events) exporter.sink(e)
  exporter.end()
  return chunks.join('')
}

/** Text with everything that breaks a line, a CSV cell or a JSON string. */
export const HOSTILE = 'a, "quoted"\nline\r\u2028{x} · end'

type OddCmd = { kind: string; text?: string }

/** Names its timers and annotations with HOSTILE text and sends it around. */
const oddball = defineAlgorithm<{ sent: number }, { text: string }, OddCmd>({
  name: 'oddball',
  family: 'test',
  summary: 'hostile strings everywhere',
  init: () => ({ sent: 0 }),
  onStart(_s, ctx) {
    ctx.setTimer(HOSTILE, 5)
    ctx.setTimer('{tick}', 7)
    ctx.annotate(HOSTILE, HOSTILE)
  },
  onTimer(s, name, ctx) {
    ctx.annotate('{bare}')
    if (s.sent++ < 3) ctx.broadcast({ text: `${name} ${HOSTILE}` })
  },
  onMessage(_s, from: NodeId, m, ctx) {
    ctx.annotate('enter CS', { from, text: m.text })
  },
  onCommand(_s, cmd, ctx) {
    ctx.annotate(' leading space', cmd.text ?? null)
  },
})

/** A run of the oddball algorithm, under node names ShiViz cannot take as they are. */
export function recordOddball(): Trace {
  const scenario = ScenarioSchema.parse({
    algorithm: 'oddball',
    nodes: 3,
    until: 200,
    commands: [{ at: 20, node: 2, command: { kind: '{x}', text: HOSTILE } }],
  })
  const events: TraceEvent[] = []
  const sim = new Simulator(scenario, oddball, { sinks: [(e) => events.push(e)] })
  sim.run()
  // Scenarios only take one-word names; live peers may be named anything.
  const meta = { ...sim.meta, nodes: ['a b', 'a_b', 'c\td'] }
  return { format: TRACE_FORMAT, version: TRACE_VERSION, meta, events }
}
