// A scenario: the declarative description of one simulated run (algorithm and
// parameters, nodes, network, clocks, fault schedule, commands, workload), as
// read from a JSON or YAML file or built from command-line flags.
import { z } from 'zod'
import { ClockOverrideSchema, ClockSpecSchema } from './clock'
import { NetworkSchema } from './network'

const nodeId = z.number().int().nonnegative()
const time = z.number().nonnegative()

export const FaultSchema = z
  .object({
    at: time,
    crash: nodeId.optional(),
    recover: nodeId.optional(),
    partition: z.array(z.array(nodeId).min(1)).min(1).optional(),
    heal: z.literal(true).optional(),
  })
  .strict()
  .refine(
    (f) => [f.crash, f.recover, f.partition, f.heal].filter((x) => x !== undefined).length === 1,
    { message: 'a fault is exactly one of crash, recover, partition or heal' },
  )

export const ScheduledCommandSchema = z
  .object({ at: time, node: nodeId, command: z.unknown() })
  .strict()

export const WorkloadSchema = z
  .object({
    /** Random commands per node per second (a Poisson process). */
    rate: z.number().positive().default(5),
    /** Stop issuing commands after this true time (ms). */
    until: time.optional(),
  })
  .strict()

export const ScenarioSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    /** What a student should look for in this run. */
    observe: z.string().optional(),
    algorithm: z.string().min(1),
    params: z.record(z.string(), z.unknown()).default({}),
    nodes: z.number().int().min(1, { message: 'must be at least 1' }).default(3),
    names: z
      .array(z.string().regex(/^\S+$/, 'a name is one word, without spaces'))
      .refine((names) => new Set(names).size === names.length, 'names must differ')
      .optional(),
    seed: z.number().int().nonnegative().default(1),
    /** Simulated true time to run for, ms. */
    until: z.number().positive().default(10_000),
    /** Stop after this many trace events. */
    maxEvents: z.number().int().positive().optional(),
    network: NetworkSchema.default(NetworkSchema.parse({})),
    clocks: z
      .object({
        default: ClockSpecSchema.default(ClockSpecSchema.parse({})),
        /** Per-node overrides, keyed by node id. */
        nodes: z
          .record(z.string().regex(/^\d+$/, 'keys are node ids'), ClockOverrideSchema)
          .default({}),
      })
      .strict()
      .default({ default: ClockSpecSchema.parse({}), nodes: {} }),
    faults: z.array(FaultSchema).default([]),
    commands: z.array(ScheduledCommandSchema).default([]),
    /** Random commands from the algorithm's workload; false turns it off. */
    workload: z.union([WorkloadSchema, z.literal(false)]).default(WorkloadSchema.parse({})),
    /** Keep vector time on every event (default: on up to 64 nodes). */
    vectorTime: z.boolean().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.names && s.names.length !== s.nodes)
      ctx.addIssue({
        code: 'custom',
        path: ['names'],
        message: `expected ${s.nodes} names, one per node`,
      })
    const check = (n: number | undefined, path: (string | number)[]) => {
      if (n !== undefined && n >= s.nodes)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `node ${n} does not exist (nodes: 0..${s.nodes - 1})`,
        })
    }
    s.faults.forEach((f, k) => {
      check(f.crash, ['faults', k, 'crash'])
      check(f.recover, ['faults', k, 'recover'])
      f.partition?.forEach((g, gi) =>
        g.forEach((m, mi) => check(m, ['faults', k, 'partition', gi, mi])),
      )
    })
    s.commands.forEach((c, k) => check(c.node, ['commands', k, 'node']))
    s.network.links.forEach((l, k) => {
      check(l.from, ['network', 'links', k, 'from'])
      check(l.to, ['network', 'links', k, 'to'])
      l.between?.forEach((m, mi) => check(m, ['network', 'links', k, 'between', mi]))
    })
    Object.keys(s.clocks.nodes).forEach((key) => check(Number(key), ['clocks', 'nodes', key]))
  })

export type ScenarioInput = z.input<typeof ScenarioSchema>
export type Scenario = z.output<typeof ScenarioSchema>
