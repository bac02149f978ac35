// The commands that drive the logical-clock algorithms: an internal event, or a
// send to one peer; and the random workload that issues them from the seed.
import { z } from 'zod'
import type { WorkloadContext } from '../../core/process'

export const EventCommandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('internal') }).strict(),
  z.object({ kind: z.literal('send'), to: z.number().int().nonnegative() }).strict(),
])

export type EventCommand = z.infer<typeof EventCommandSchema>

/** Half internal events, half sends to a peer chosen uniformly. */
export function randomEvent(w: WorkloadContext): EventCommand {
  if (w.peers.length === 0 || w.random() < 0.5) return { kind: 'internal' }
  return { kind: 'send', to: w.peers[Math.floor(w.random() * w.peers.length)] }
}
