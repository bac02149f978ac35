// The command that drives the election algorithms by hand: hold an election now,
// as if the coordinator were suspected; and the random workload that issues it
// now and then, so an election algorithm run with no scenario still elects.
import { z } from 'zod'
import type { WorkloadContext } from '../../core/process'

export const ElectCommandSchema = z.object({ kind: z.literal('elect') }).strict()

export type ElectCommand = z.infer<typeof ElectCommandSchema>

/** The share of workload ticks that call an election (5 ticks/s per node: one every 4 s). */
const ELECT_SHARE = 0.05

export function randomElect(w: WorkloadContext): ElectCommand | undefined {
  return w.random() < ELECT_SHARE ? { kind: 'elect' } : undefined
}
