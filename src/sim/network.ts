// The simulated network: every directed link has a delay distribution, loss,
// duplication and reordering probabilities and a FIFO flag; partitions cut the
// links between groups. It decides, per message, when each copy arrives or why
// it is lost. Randomness comes from the network's own seeded stream.
import { z } from 'zod'
import type { NodeId } from '../core/process'
import type { Rng } from '../core/random'
import type { DropReason } from '../core/trace'
import { DistributionSchema, sample } from './distributions'

const probability = z.number().min(0).max(1)

const linkFields = {
  delay: DistributionSchema,
  loss: probability,
  duplicate: probability,
  /** Non-FIFO links only: chance that a message is held back by a second delay. */
  reorder: probability,
  fifo: z.boolean(),
}

export const LinkSchema = z
  .object({
    delay: linkFields.delay.default({ dist: 'uniform', min: 1, max: 10 }),
    loss: linkFields.loss.default(0),
    duplicate: linkFields.duplicate.default(0),
    reorder: linkFields.reorder.default(0),
    fifo: linkFields.fifo.default(true),
  })
  .strict()
  .refine((l) => !(l.fifo && l.reorder > 0), {
    message: 'reorder needs a non-FIFO link (set fifo: false)',
    path: ['reorder'],
  })

const node = z.number().int().nonnegative()

/** Overrides for one directed link (from/to) or both directions (between). */
export const LinkOverrideSchema = z
  .object({
    from: node.optional(),
    to: node.optional(),
    between: z.tuple([node, node]).optional(),
    delay: linkFields.delay.optional(),
    loss: linkFields.loss.optional(),
    duplicate: linkFields.duplicate.optional(),
    reorder: linkFields.reorder.optional(),
    fifo: linkFields.fifo.optional(),
  })
  .strict()
  .refine((o) => (o.between !== undefined) !== (o.from !== undefined && o.to !== undefined), {
    message: 'give either from and to, or between',
  })

export const NetworkSchema = z
  .object({
    default: LinkSchema.default(LinkSchema.parse({})),
    links: z.array(LinkOverrideSchema).default([]),
  })
  .strict()

export type Link = z.infer<typeof LinkSchema>
export type NetworkSpec = z.infer<typeof NetworkSchema>

export class Network {
  private readonly overrides = new Map<number, Link>()
  /**
   * Latest arrival on each FIFO link, one row per sender made on its first send: an array
   * lookup instead of a hash map (1.25x the events/s at 1,000 nodes), n^2 doubles at most.
   */
  private readonly lastArrival: (Float64Array | undefined)[]
  private group: Int32Array | null = null

  constructor(
    private readonly spec: NetworkSpec,
    private readonly n: number,
    private readonly rng: Rng,
  ) {
    this.lastArrival = new Array<Float64Array | undefined>(n)
    for (const o of spec.links) {
      const pairs: [NodeId, NodeId][] =
        o.between !== undefined
          ? [o.between, [o.between[1], o.between[0]]]
          : [[o.from as NodeId, o.to as NodeId]]
      for (const [a, b] of pairs) {
        if (a >= n || b >= n) throw new RangeError(`link ${a}->${b} names a node >= ${n}`)
        const base = this.link(a, b)
        const link: Link = {
          delay: o.delay ?? base.delay,
          loss: o.loss ?? base.loss,
          duplicate: o.duplicate ?? base.duplicate,
          reorder: o.reorder ?? base.reorder,
          fifo: o.fifo ?? base.fifo,
        }
        if (link.fifo && link.reorder > 0)
          throw new RangeError(`link ${a}->${b}: reorder needs a non-FIFO link`)
        this.overrides.set(a * n + b, link)
      }
    }
  }

  link(from: NodeId, to: NodeId): Link {
    return this.overrides.get(from * this.n + to) ?? this.spec.default
  }

  /** Splits the nodes into groups that cannot reach each other; unlisted nodes form one more group. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const g = new Int32Array(this.n).fill(groups.length)
    groups.forEach((members, k) => members.forEach((m) => (g[m] = k)))
    this.group = g
  }

  heal(): void {
    this.group = null
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.group !== null && this.group[from] !== this.group[to]
  }

  /**
   * Decides the fate of one message sent at true time `now`: the reason it is lost, or
   * how many copies arrive (2 for a duplicate), their arrival times written to `out`.
   */
  transmit(from: NodeId, to: NodeId, now: number, out: Float64Array): DropReason | 1 | 2 {
    if (from === to) {
      out[0] = now
      return 1
    }
    if (this.isCut(from, to)) return 'partition'
    const link = this.link(from, to)
    if (link.loss > 0 && this.rng.float() < link.loss) return 'loss'
    const copies = link.duplicate > 0 && this.rng.float() < link.duplicate ? 2 : 1
    for (let c = 0; c < copies; c++) out[c] = this.arrival(from, to, link, now)
    return copies
  }

  private arrival(from: NodeId, to: NodeId, link: Link, now: number): number {
    let at = now + sample(link.delay, this.rng)
    if (!link.fifo) {
      if (link.reorder > 0 && this.rng.float() < link.reorder) at += sample(link.delay, this.rng)
      return at
    }
    // FIFO: never overtake an earlier message on this link; equal times keep send order.
    let row = this.lastArrival[from]
    if (row === undefined) row = this.lastArrival[from] = new Float64Array(this.n).fill(-Infinity)
    if (at < row[to]) at = row[to]
    row[to] = at
    return at
  }
}
