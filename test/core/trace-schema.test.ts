// The trace file format: parseTrace reads back a recorded trace and turns every
// kind of bad input into one InputError line naming the file, the event and the
// field; the committed JSON Schema is the one the zod schema generates.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/core/errors'
import type { Trace } from '../../src/core/trace'
import {
  parseTrace,
  parseTraceData,
  TRACE_JSON_SCHEMA_PATH,
  traceJsonSchema,
} from '../../src/core/trace-schema'
import { runScenario } from '../../src/sim/run'
import { ScenarioSchema } from '../../src/sim/scenario'

const trace = runScenario(
  ScenarioSchema.parse({
    algorithm: 'lamport',
    nodes: 4,
    seed: 1,
    until: 2000,
    network: { default: { loss: 0.2, duplicate: 0.2 } },
    faults: [
      { at: 500, crash: 1 },
      { at: 900, recover: 1 },
      { at: 1000, partition: [[0, 1]] },
    ],
  }),
  { record: true },
).trace as Trace

const at = (kind: string) => trace.events.findIndex((e) => e.kind === kind)

/** A trace as the tests spoil it, in ways its type forbids. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spoilable = any

/** The message parseTrace gives for the recorded trace after `spoil` changed a copy of it. */
function rejection(spoil: (t: Spoilable) => void): string {
  const copy: Spoilable = structuredClone(trace)
  spoil(copy)
  return message(JSON.stringify(copy))
}

function message(text: string): string {
  try {
    parseTrace(text, 'run.json')
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    const m = (err as Error).message
    expect(m).not.toMatch(/\n/)
    return m
  }
  throw new Error('parseTrace accepted bad input')
}

describe('parseTrace', () => {
  it('reads a recorded trace back as it was', () => {
    expect(parseTrace(JSON.stringify(trace))).toEqual(trace)
    expect(parseTrace(JSON.stringify(trace, null, 2))).toEqual(trace)
  })

  it('rejects text that is not JSON', () => {
    expect(message('{"format": "clocklab-trace",\n')).toMatch(/^run\.json: not JSON \(.+\)$/)
    expect(message('')).toMatch(/^run\.json: not JSON/)
  })

  it('rejects a file of another format', () => {
    expect(rejection((t) => (t.format = 'shiviz'))).toBe(
      `run.json: not a ClockLab trace (format: expected 'clocklab-trace', got "shiviz")`,
    )
    expect(message('[1, 2]')).toBe(
      `run.json: not a ClockLab trace (format: expected 'clocklab-trace', got nothing)`,
    )
  })

  it('says when a newer ClockLab wrote the file', () => {
    expect(rejection((t) => (t.version = 2))).toBe(
      'run.json: trace version 2 was written by a newer ClockLab (this one reads version 1)',
    )
    expect(rejection((t) => (t.version = 0))).toMatch(/^run\.json: version: /)
  })

  it('names the event and field of a missing or bad field', () => {
    expect(rejection((t) => delete t.events[5].lamport)).toBe(
      'run.json: events[5].lamport: expected number, got nothing (the field is required)',
    )
    expect(rejection((t) => delete t.events[at('send')].payload)).toBe(
      `run.json: events[${at('send')}].payload: required`,
    )
    expect(rejection((t) => (t.events[3].seq = -1))).toMatch(/^run\.json: events\[3\]\.seq: /)
    expect(rejection((t) => (t.events[3].kind = 'jump'))).toMatch(/^run\.json: events\[3\]\.kind: /)
    expect(rejection((t) => (t.events[3].colour = 'red'))).toBe(
      'run.json: events[3].colour: unknown field',
    )
    expect(rejection((t) => delete t.meta.nodes)).toMatch(/^run\.json: meta\.nodes: expected array/)
  })

  it('rejects a receive whose cause is not an earlier send of that message', () => {
    const r = at('receive')
    const e = trace.events[r]
    if (e.kind !== 'receive') throw new Error('no receive in the run')
    expect(rejection((t) => (t.events[r].cause = r))).toBe(
      `run.json: events[${r}].cause: event ${r} is not an earlier send`,
    )
    expect(rejection((t) => (t.events[r].cause = 0))).toBe(
      `run.json: events[${r}].cause: event 0 is not an earlier send`,
    )
    expect(rejection((t) => (t.events[r].msg = e.msg + 1000))).toBe(
      `run.json: events[${r}].msg: event ${e.cause} sent message ${e.msg}, not ${e.msg + 1000}`,
    )
    expect(rejection((t) => (t.events[r].from = e.node))).toMatch(
      new RegExp(`^run\\.json: events\\[${r}\\]\\.from: message ${e.msg} was sent by node `),
    )
  })

  it('rejects events that do not fit the trace', () => {
    expect(rejection((t) => (t.events[4].i = 40))).toBe(
      "run.json: events[4].i: expected 4, the event's position in the trace",
    )
    expect(rejection((t) => (t.events[4].node = 4))).toBe(
      'run.json: events[4].node: node 4 does not exist (nodes: 0..3)',
    )
    expect(rejection((t) => t.events[4].vc.pop())).toBe(
      'run.json: events[4].vc: expected 4 entries, one per node (meta.vectorTime is true)',
    )
    expect(rejection((t) => (t.events[at('drop')].msg = 10_000))).toBe(
      `run.json: events[${at('drop')}].msg: message 10000 was never sent`,
    )
    expect(rejection((t) => (t.events[at('partition')].groups = [[0, 7]]))).toBe(
      `run.json: events[${at('partition')}].groups: node 7 does not exist (nodes: 0..3)`,
    )
  })
})

describe('parseTraceData (a file already parsed from JSON)', () => {
  it('reads what parseTrace reads, and refuses what it refuses with the same line', () => {
    expect(parseTraceData(JSON.parse(JSON.stringify(trace)))).toEqual(trace)
    const spoilt: Spoilable = structuredClone(trace)
    spoilt.events[4].i = 40
    const line = message(JSON.stringify(spoilt))
    expect(() => parseTraceData(spoilt, 'run.json')).toThrow(new InputError(line))
    expect(() => parseTraceData([1, 2], 'run.json')).toThrow(
      `run.json: not a ClockLab trace (format: expected 'clocklab-trace', got nothing)`,
    )
  })
})

describe('the committed JSON Schema', () => {
  it('is the one the zod schema generates (npx tsx scripts/gen-trace-schema.ts)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL(`../../${TRACE_JSON_SCHEMA_PATH}`, import.meta.url), 'utf8'),
    )
    expect(committed).toEqual(traceJsonSchema())
  })
})
