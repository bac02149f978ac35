// src/lab/api.ts — the one typed API both shells (Electron IPC, the web view) call.
// Every call is validated against the schemas here before it reaches the engine, so a
// renderer or a browser can never hand the engine malformed input. The types the schemas
// produce are checked against the contract in ./api-types, which the renderer uses.
import { z } from 'zod'
import { FaultSchema } from '../sim/scenario'
import type { ApiMethodName } from './api-methods'
import type { ClockLabApi, ExportFormatName, RunRequest, SimRequest } from './api-types'
import {
  LanExperimentIdSchema,
  LanExperimentRequestSchema,
  LanFaultRequestSchema,
  LanJoinRequestSchema,
} from './lan-schemas'

export type * from './api-types'

export const SimRequestSchema = z.strictObject({
  algorithm: z.string().min(1),
  nodes: z.int().min(1).max(1000),
  seed: z.int().min(0),
  /** Virtual time to simulate, in ms. */
  until: z.number().positive(),
})

/** The most events one run may keep: a run is held in memory by the engine and the page. */
export const MAX_RUN_EVENTS = 1_000_000
/** Events in a run when the request names no limit. */
export const DEFAULT_RUN_EVENTS = 200_000
/** The most events one runPage call returns. */
export const MAX_PAGE_EVENTS = 20_000
/** The largest recording openTrace accepts, in characters of JSON. */
export const MAX_TRACE_CHARS = 256 * 1024 * 1024

/** The export formats (src/lab/export); engine-api.ts checks that the two lists agree. */
export const ExportFormatSchema = z.enum(['json', 'shiviz', 'csv'])

const probability = z.number().min(0).max(1)
const ms = z.number().nonnegative()

export const RunRequestSchema = z
  .strictObject({
    algorithm: z.string().min(1).optional(),
    scenario: z.string().min(1).optional(),
    nodes: z.int().min(1).max(1000).optional(),
    seed: z.int().min(0).optional(),
    until: z.number().positive().max(1e9).optional(),
    maxEvents: z.int().min(1).max(MAX_RUN_EVENTS).optional(),
    network: z
      .strictObject({
        delayMin: ms.optional(),
        delayMax: ms.optional(),
        loss: probability.optional(),
        duplicate: probability.optional(),
      })
      .refine((n) => (n.delayMin === undefined) === (n.delayMax === undefined), {
        message: 'give both delayMin and delayMax, or neither',
      })
      .refine((n) => !(n.delayMax! < n.delayMin!), {
        message: 'must be at least delayMin',
        path: ['delayMax'],
      })
      .optional(),
    workloadRate: z.number().min(0).max(10_000).optional(),
    faults: z.array(FaultSchema).max(1000).optional(),
  })
  .refine((r) => (r.algorithm === undefined) !== (r.scenario === undefined), {
    message: 'name either an algorithm or a scenario',
  })

export const RunIdSchema = z.string().regex(/^[\w-]{1,64}$/, 'not a run id')

/** Each method's arguments, as a tuple schema. The method list is API_METHODS. */
export const apiSchemas = {
  version: z.tuple([]),
  listAlgorithms: z.tuple([]),
  runSimulation: z.tuple([SimRequestSchema]),
  listScenarios: z.tuple([]),
  startRun: z.tuple([RunRequestSchema]),
  runPage: z.tuple([RunIdSchema, z.int().min(0), z.int().min(1).max(MAX_PAGE_EVENTS)]),
  cancelRun: z.tuple([RunIdSchema]),
  openTrace: z.tuple([z.string().max(MAX_TRACE_CHARS), z.string().max(260)]),
  exportRun: z.tuple([RunIdSchema, ExportFormatSchema]),
  readClocks: z.tuple([]),
  listSerialPorts: z.tuple([]),
  addTimeSource: z.tuple([
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('ntp'), address: z.string().min(1).max(300) }),
      z.strictObject({
        kind: z.literal('gps'),
        path: z.string().min(1).max(300),
        baudRate: z.int().min(300).max(921_600).optional(),
      }),
      z.strictObject({ kind: z.literal('gpsd'), address: z.string().min(1).max(300) }),
    ]),
  ]),
  removeTimeSource: z.tuple([z.string().min(1).max(320)]),
  readTimeSources: z.tuple([z.int().min(0)]),
  setLabClockReference: z.tuple([z.string().min(1).max(320)]),
  lanJoin: z.tuple([LanJoinRequestSchema]),
  lanLeave: z.tuple([]),
  lanStatus: z.tuple([]),
  lanStart: z.tuple([LanExperimentRequestSchema]),
  lanExperiment: z.tuple([LanExperimentIdSchema, z.int().min(0)]),
  lanFault: z.tuple([LanExperimentIdSchema, LanFaultRequestSchema]),
  lanRecording: z.tuple([LanExperimentIdSchema]),
  lanReplay: z.tuple([LanExperimentIdSchema]),
} satisfies Record<ApiMethodName, z.ZodTuple>

export type ApiMethod = keyof typeof apiSchemas
export type ApiArgs<M extends ApiMethod> = z.infer<(typeof apiSchemas)[M]>

// Compiles only while the schemas describe exactly the contract in ./api-types.
type _Contract = [
  Assert<Identical<z.output<typeof SimRequestSchema>, SimRequest>>,
  Assert<Identical<z.output<typeof RunRequestSchema>, RunRequest>>,
  Assert<Identical<z.output<typeof ExportFormatSchema>, ExportFormatName>>,
  Assert<Identical<ApiArgs<'runPage'>, Parameters<ClockLabApi['runPage']>>>,
  Assert<Identical<ApiArgs<'openTrace'>, Parameters<ClockLabApi['openTrace']>>>,
  Assert<Identical<ApiArgs<'exportRun'>, Parameters<ClockLabApi['exportRun']>>>,
  Assert<Identical<ApiArgs<'addTimeSource'>, Parameters<ClockLabApi['addTimeSource']>>>,
]
type Assert<T extends true> = T
type Identical<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

/** Bad input from a caller: the message says which method and which field. */
export class ApiInputError extends Error {
  override name = 'ApiInputError'
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(apiSchemas, name)
}

/** Validate raw arguments (an array from IPC or the wire) for one method. */
export function parseApiArgs<M extends ApiMethod>(method: M, args: unknown): ApiArgs<M> {
  const parsed = apiSchemas[method].safeParse(args)
  if (!parsed.success) {
    throw new ApiInputError(
      `clocklab.${method}: invalid arguments\n${z.prettifyError(parsed.error)}`,
    )
  }
  return parsed.data as ApiArgs<M>
}

/** Validate, then call one method on an implementation: the single entry for untrusted calls. */
export async function callApi(api: ClockLabApi, method: unknown, args: unknown): Promise<unknown> {
  if (!isApiMethod(method)) throw new ApiInputError(`clocklab: unknown method ${String(method)}`)
  const valid = parseApiArgs(method, args)
  const fn = api[method] as (...a: readonly unknown[]) => Promise<unknown>
  return fn.apply(api, valid)
}
