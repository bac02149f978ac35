// The command every broadcast algorithm takes, broadcast a value, and the random
// workload that issues it with a small number as the value.
import { z } from 'zod'
import type { JsonValue } from '../../core/json'
import type { WorkloadContext } from '../../core/process'

export type BroadcastCommand = { kind: 'broadcast'; value?: JsonValue }

export const BroadcastCommandSchema: z.ZodType<BroadcastCommand> = z
  .object({ kind: z.literal('broadcast'), value: z.json().optional() })
  .strict()

export function randomBroadcast(w: WorkloadContext): BroadcastCommand {
  return { kind: 'broadcast', value: Math.floor(w.random() * 100) }
}
