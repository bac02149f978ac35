// The schemas that validate the LAN view's API calls (api.ts lists them with the rest): a
// lab to join, an experiment to start, a fault to set at run time. Checked against the
// contract in ./api-types at compile time, like the other schemas.
import { z } from 'zod'
import type {
  LanExperimentRequest,
  LanFaultRequest,
  LanJoinRequest,
  LanLinkFaults,
} from './api-types'
import { LinkFaultsSchema } from './experiment-protocol'

const port = z.int().min(1).max(65535)
const ms = (max: number) => z.number().positive().max(max)

export const LanJoinRequestSchema = z.strictObject({
  lab: z
    .string()
    .trim()
    .min(1, 'give the lab a name')
    .max(64)
    .regex(/^[\w.-]+$/, 'letters, digits, ".", "-" and "_" only'),
  passphrase: z.string().min(8, 'the passphrase needs at least 8 characters').max(1024),
  name: z.string().trim().min(1).max(32).optional(),
  iface: z.string().trim().min(1).max(64).optional(),
  seeds: z.array(port).min(1).max(64).optional(),
  port: z.int().min(0).max(65535).optional(),
  reference: z.string().trim().min(4).max(300).optional(),
  heartbeatMs: ms(60_000).optional(),
  timeoutMs: ms(600_000).optional(),
})

/** A link's faults: the same schema the experiment's messages carry them in. */
export const LanLinkFaultsSchema = LinkFaultsSchema

const nodeKey = z.string().regex(/^\d{1,4}$/, 'a node number')

export const LanExperimentRequestSchema = z.strictObject({
  algorithm: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
  durationMs: z.number().min(100).max(3600_000),
  workloadRate: z.number().min(0).max(1000).optional(),
  seed: z.int().min(0).optional(),
  faults: z.record(nodeKey, z.record(nodeKey, LanLinkFaultsSchema)).optional(),
})

export const LanFaultRequestSchema = z.strictObject({
  node: z.int().min(0).max(9999),
  link: z.strictObject({ to: z.int().min(0).max(9999), faults: LanLinkFaultsSchema }).optional(),
  crash: z.boolean().optional(),
  restart: z.boolean().optional(),
})

export const LanExperimentIdSchema = z.string().regex(/^[\w-]{1,40}$/, 'not an experiment id')

// Compiles only while the schemas describe exactly the contract in ./api-types.
type _Contract = [
  Assert<Identical<z.output<typeof LanJoinRequestSchema>, LanJoinRequest>>,
  Assert<Identical<z.output<typeof LanLinkFaultsSchema>, LanLinkFaults>>,
  Assert<Identical<z.output<typeof LanExperimentRequestSchema>, LanExperimentRequest>>,
  Assert<Identical<z.output<typeof LanFaultRequestSchema>, LanFaultRequest>>,
]
type Assert<T extends true> = T
type Identical<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
