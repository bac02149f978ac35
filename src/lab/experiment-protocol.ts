// The messages of a live experiment, on the lab's authenticated reliable streams:
// the starter's announcement, algorithm traffic between nodes, faults set at run
// time, and the trace chunks every node streams back to the starter.
import { z } from 'zod'
import type { LiveWire } from '../net/live-trace'

const nodeId = z.int().nonnegative()

export const LinkFaultsSchema = z.strictObject({
  drop: z.number().min(0).max(1).optional(),
  delayMs: z.number().nonnegative().max(60_000).optional(),
  jitterMs: z.number().nonnegative().max(60_000).optional(),
  duplicate: z.number().min(0).max(1).optional(),
  cut: z.enum(['out', 'in', 'both']).optional(),
})

/** Link faults per node: node id → (peer node id → faults on that link). */
export const FaultPlansSchema = z.record(
  z.string().regex(/^\d+$/),
  z.record(z.string().regex(/^\d+$/), LinkFaultsSchema),
)

export const ExperimentSpecSchema = z.strictObject({
  id: z.string().regex(/^[\w-]{1,40}$/),
  starter: z.string(),
  algorithm: z.string(),
  params: z.record(z.string(), z.unknown()),
  durationMs: z
    .number()
    .positive()
    .max(24 * 3600_000),
  seed: z.int(),
  /** Peer ids, sorted: node k is peers[k]. */
  peers: z.array(z.string()).min(1),
  names: z.array(z.string()),
  workloadRate: z.number().nonnegative(),
  /** Stop the workload this long after the start (ms), leaving a quiet tail. */
  workloadMs: z.number().nonnegative().optional(),
  faults: FaultPlansSchema.default({}),
})
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>

export const ExperimentMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('exp'), spec: ExperimentSpecSchema }),
  z.strictObject({
    t: z.literal('alg'),
    id: z.string(),
    from: nodeId,
    w: z.custom<LiveWire>((w) => typeof w === 'object' && w !== null && 'm' in w && 'p' in w),
  }),
  z.strictObject({
    t: z.literal('fault'),
    id: z.string(),
    crash: z.boolean().optional(),
    restart: z.boolean().optional(),
    links: z.record(z.string().regex(/^\d+$/), LinkFaultsSchema).optional(),
  }),
  z.strictObject({
    t: z.literal('trace'),
    id: z.string(),
    node: nodeId,
    chunk: z.int().nonnegative(),
    recs: z.array(z.unknown()),
    last: z.boolean(),
    /** Uploaded by a restarted process: the node's process died during the run. */
    late: z.boolean(),
  }),
])
export type ExperimentMessage = z.infer<typeof ExperimentMessageSchema>

/** Trace records per chunk: small enough to keep each message a few datagrams. */
export const RECORDS_PER_CHUNK = 20
