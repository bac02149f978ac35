// The trace file format, version 1: the zod schema of a `clocklab-trace` file,
// the links between its events that a schema alone cannot express (positions,
// node ids, each receive's send), and `parseTrace`, which turns a file's text
// into a Trace or into one line naming the bad field, so later code never sees
// a corrupt trace.
import { z } from 'zod'
import { formatIssue } from '../core/issues'
import { InputError } from './errors'
import type { JsonValue } from './json'
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  isProcessEvent,
  type SendEvent,
  type Trace,
  type TraceEvent,
} from './trace'

const count = z.int().nonnegative()
const nodeId = count
const position = count.describe('Position in the trace, from 0')
const json: z.ZodType<JsonValue> = z
  .lazy(() =>
    z.union(
      [z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)],
      {
        error: (issue) => (issue.input === undefined ? 'required' : 'expected a JSON value'),
      },
    ),
  )
  .meta({ id: 'JsonValue' })

const NoteSchema = z.strictObject({ kind: z.string(), data: json.optional() })

const processFields = {
  i: position,
  node: nodeId,
  seq: count.describe('Per-node sequence number, from 0'),
  lamport: count,
  vc: z.array(count).optional().describe('Vector time, present exactly when meta.vectorTime is'),
  local: z.number().describe("The node's local clock reading (ms)"),
  time: z.number().optional().describe('True time (ms); simulation only'),
  notes: z.array(NoteSchema).optional(),
}

const netFields = {
  i: position,
  time: z.number().optional(),
}

export const TraceEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...processFields,
    kind: z.enum(['start', 'recover']),
    incarnation: count,
  }),
  z.strictObject({
    ...processFields,
    kind: z.literal('send'),
    msg: count,
    to: z.array(nodeId),
    payload: json,
  }),
  z.strictObject({
    ...processFields,
    kind: z.literal('receive'),
    msg: count,
    from: nodeId,
    cause: count.describe('`i` of the send event this receive delivers'),
    payload: json,
  }),
  z.strictObject({ ...processFields, kind: z.literal('timer'), timer: z.string() }),
  z.strictObject({ ...processFields, kind: z.literal('command'), command: json }),
  z.strictObject({ ...processFields, kind: z.literal('crash') }),
  z.strictObject({
    ...netFields,
    kind: z.literal('drop'),
    msg: count,
    from: nodeId,
    to: nodeId,
    reason: z.enum(['loss', 'partition', 'crashed']),
  }),
  z.strictObject({
    ...netFields,
    kind: z.literal('duplicate'),
    msg: count,
    from: nodeId,
    to: nodeId,
  }),
  z.strictObject({ ...netFields, kind: z.literal('partition'), groups: z.array(z.array(nodeId)) }),
  z.strictObject({ ...netFields, kind: z.literal('heal') }),
])

export const TraceMetaSchema = z.strictObject({
  source: z.enum(['sim', 'live']),
  algorithm: z.string(),
  params: json,
  nodes: z.array(z.string()).describe('Node names, indexed by node id'),
  seed: z.int().optional(),
  scenario: z.string().optional(),
  vectorTime: z.boolean(),
})

export const TraceSchema = z
  .strictObject({
    format: z.literal(TRACE_FORMAT),
    version: z.literal(TRACE_VERSION),
    meta: TraceMetaSchema,
    events: z.array(TraceEventSchema),
  })
  .superRefine((trace, ctx) => {
    const problem = firstBrokenLink(trace)
    if (problem !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['events', problem.at, problem.field],
        message: problem.message,
      })
  })
  .meta({
    title: 'ClockLab trace, version 1',
    description:
      'Everything that happened in one run: process events carry sequence, Lamport and vector time and the local clock; network events carry true time.',
  })

// Compiles only while the schema describes exactly the model in trace.ts.
type _SchemaMatchesModel = Assert<Identical<z.output<typeof TraceSchema>, Trace>>
type Assert<T extends true> = T
type Identical<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

interface BrokenLink {
  at: number
  field: string
  message: string
}

/** The first event that does not fit its trace: wrong position, unknown node, a receive or drop of no sent message. */
function firstBrokenLink(trace: Trace): BrokenLink | undefined {
  const n = trace.meta.nodes.length
  const sends = new Map<number, SendEvent>()
  const bad = (at: number, field: string, message: string): BrokenLink => ({ at, field, message })
  const unknownNode = (id: number) => id >= n
  const noSuchNode = (id: number) => `node ${id} does not exist (nodes: 0..${n - 1})`

  for (const [at, e] of trace.events.entries()) {
    if (e.i !== at) return bad(at, 'i', `expected ${at}, the event's position in the trace`)
    if (isProcessEvent(e)) {
      if (unknownNode(e.node)) return bad(at, 'node', noSuchNode(e.node))
      if (trace.meta.vectorTime && e.vc?.length !== n)
        return bad(at, 'vc', `expected ${n} entries, one per node (meta.vectorTime is true)`)
      if (!trace.meta.vectorTime && e.vc !== undefined)
        return bad(at, 'vc', 'unexpected: meta.vectorTime is false')
    }
    switch (e.kind) {
      case 'send': {
        const badTo = e.to.find(unknownNode)
        if (badTo !== undefined) return bad(at, 'to', noSuchNode(badTo))
        const earlier = sends.get(e.msg)
        if (earlier !== undefined)
          return bad(at, 'msg', `message ${e.msg} was already sent by event ${earlier.i}`)
        sends.set(e.msg, e)
        break
      }
      case 'receive': {
        const send: TraceEvent | undefined = e.cause < at ? trace.events[e.cause] : undefined
        if (send?.kind !== 'send')
          return bad(at, 'cause', `event ${e.cause} is not an earlier send`)
        const problem = copyProblem(send, e.msg, e.from, e.node, 'node')
        if (problem !== undefined) return bad(at, problem.field, problem.message)
        break
      }
      case 'drop':
      case 'duplicate': {
        const send = sends.get(e.msg)
        if (send === undefined) return bad(at, 'msg', `message ${e.msg} was never sent`)
        const problem = copyProblem(send, e.msg, e.from, e.to, 'to')
        if (problem !== undefined) return bad(at, problem.field, problem.message)
        break
      }
      case 'partition': {
        const member = e.groups.flat().find(unknownNode)
        if (member !== undefined) return bad(at, 'groups', noSuchNode(member))
        break
      }
    }
  }
  return undefined
}

/** What is wrong, if anything, with a copy of `msg` from `from` to `to` that names `send`. */
function copyProblem(
  send: SendEvent,
  msg: number,
  from: number,
  to: number,
  toField: 'node' | 'to',
): Omit<BrokenLink, 'at'> | undefined {
  if (send.msg !== msg)
    return { field: 'msg', message: `event ${send.i} sent message ${send.msg}, not ${msg}` }
  if (send.node !== from)
    return { field: 'from', message: `message ${msg} was sent by node ${send.node}` }
  if (!send.to.includes(to))
    return { field: toField, message: `message ${msg} was not sent to node ${to}` }
  return undefined
}

/** A trace file's problem in one line, after the file's name. */
const inputError = (fileName: string | undefined, message: string) =>
  new InputError(fileName === undefined ? message : `${fileName}: ${message}`)

/** Reads a trace file; throws an InputError naming the file and the bad field. */
export function parseTrace(text: string, fileName?: string): Trace {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw inputError(fileName, `not JSON (${(err as Error).message.replace(/\s+/g, ' ')})`)
  }
  return parseTraceData(data, fileName)
}

/**
 * Checks a trace file's content already parsed from JSON (for a caller that needs the data
 * itself too, so a large file is parsed once); throws parseTrace's one-line InputErrors.
 */
export function parseTraceData(data: unknown, fileName?: string): Trace {
  const { format, version } = (data ?? {}) as { format?: unknown; version?: unknown }
  if (format !== TRACE_FORMAT)
    throw inputError(
      fileName,
      `not a ClockLab trace (format: expected '${TRACE_FORMAT}', got ${JSON.stringify(format) ?? 'nothing'})`,
    )
  if (typeof version === 'number' && version > TRACE_VERSION)
    throw inputError(
      fileName,
      `trace version ${version} was written by a newer ClockLab (this one reads version ${TRACE_VERSION})`,
    )
  const result = TraceSchema.safeParse(data, { reportInput: true })
  if (!result.success) throw inputError(fileName, formatIssue(result.error.issues[0]))
  return result.data
}

/** Where the JSON Schema of this version is committed, from the repository's root. */
export const TRACE_JSON_SCHEMA_PATH = `resources/schema/trace-v${TRACE_VERSION}.schema.json`

/** The JSON Schema of a trace file, as committed at TRACE_JSON_SCHEMA_PATH. */
export function traceJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TraceSchema)
}
