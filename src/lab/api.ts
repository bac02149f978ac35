// src/lab/api.ts — the one typed API both shells (Electron IPC, the web view) call.
// Every call is validated against the schemas here before it reaches the engine, so a
// renderer or a browser can never hand the engine malformed input.
import { z } from 'zod'
import type { ApiMethodName } from './api-methods'

export const SimRequestSchema = z.strictObject({
  algorithm: z.string().min(1),
  nodes: z.int().min(1).max(1000),
  seed: z.int().min(0),
  /** Virtual time to simulate, in ms. */
  until: z.number().positive(),
})
export type SimRequest = z.infer<typeof SimRequestSchema>

export const AlgorithmInfoSchema = z.object({
  name: z.string(),
  family: z.string(),
  summary: z.string(),
})
export type AlgorithmInfo = z.infer<typeof AlgorithmInfoSchema>

export const SimResultSchema = z.object({
  events: z.number(),
  messages: z.number(),
  /** The run's trace, serialized (the versioned JSON trace format). */
  traceJson: z.string(),
})
export type SimResult = z.infer<typeof SimResultSchema>

/** Each method's arguments, as a tuple schema. The method list is API_METHODS. */
export const apiSchemas = {
  version: z.tuple([]),
  listAlgorithms: z.tuple([]),
  runSimulation: z.tuple([SimRequestSchema]),
} satisfies Record<ApiMethodName, z.ZodTuple>

export type ApiMethod = keyof typeof apiSchemas
export type ApiArgs<M extends ApiMethod> = z.infer<(typeof apiSchemas)[M]>

export interface ClockLabApi {
  version(): Promise<string>
  listAlgorithms(): Promise<AlgorithmInfo[]>
  runSimulation(req: SimRequest): Promise<SimResult>
}

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
