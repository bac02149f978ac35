// Delay distributions for network links, sampled from a seeded stream:
// constant, uniform, normal and log-normal (both truncated at a floor), and an
// empirical table of measured delays (as recorded from a live run).
import { z } from 'zod'
import type { Rng } from '../core/random'

const ms = z.number().nonnegative()

export const DistributionSchema = z.discriminatedUnion('dist', [
  z.object({ dist: z.literal('constant'), ms }).strict(),
  z
    .object({ dist: z.literal('uniform'), min: ms, max: ms })
    .strict()
    .refine((d) => d.max >= d.min, { message: 'must be at least min', path: ['max'] }),
  z.object({ dist: z.literal('normal'), mean: ms, sd: ms, min: ms.default(0) }).strict(),
  z
    .object({
      dist: z.literal('lognormal'),
      median: z.number().positive(),
      sigma: z.number().nonnegative(),
      min: ms.default(0),
    })
    .strict(),
  z.object({ dist: z.literal('table'), samples: z.array(ms).min(1) }).strict(),
])

export type Distribution = z.infer<typeof DistributionSchema>

export function sample(d: Distribution, rng: Rng): number {
  switch (d.dist) {
    case 'constant':
      return d.ms
    case 'uniform':
      return d.min + (d.max - d.min) * rng.float()
    case 'normal':
      return Math.max(d.min, d.mean + d.sd * rng.normal())
    case 'lognormal':
      return Math.max(d.min, d.median * Math.exp(d.sigma * rng.normal()))
    case 'table':
      return d.samples[rng.int(d.samples.length)]
  }
}

/** The distribution's mean before truncation at its floor, for summaries and units. */
export function mean(d: Distribution): number {
  switch (d.dist) {
    case 'constant':
      return d.ms
    case 'uniform':
      return (d.min + d.max) / 2
    case 'normal':
      return d.mean
    case 'lognormal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2)
    case 'table':
      return d.samples.reduce((a, b) => a + b, 0) / d.samples.length
  }
}
