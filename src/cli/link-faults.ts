// `--link FROM-TO:key=value,...` flags of `clocklab lan run`: faults node FROM applies to
// its link to node TO (drop=0.1, delay=5 ms, dup=0.05, cut=out|in|both), as a fault plan.
import { InvalidArgumentError } from 'commander'
import { LinkFaultsSchema } from '../lab/experiment-protocol'
import type { ExperimentSpec } from '../lab/experiment-protocol'

const KEYS: Record<string, string> = {
  drop: 'drop',
  delay: 'delayMs',
  jitter: 'jitterMs',
  dup: 'duplicate',
  cut: 'cut',
}

/** Commander's collector for repeated --link flags. */
export function collectLink(
  value: string,
  plan: ExperimentSpec['faults'] = {},
): ExperimentSpec['faults'] {
  const m = /^(\d+)-(\d+):(.+)$/.exec(value.trim())
  if (m === null || m[1] === m[2])
    throw new InvalidArgumentError('expected FROM-TO:key=value,... (e.g. 0-1:drop=0.1,delay=5)')
  const faults: Record<string, unknown> = {}
  for (const part of m[3].split(',')) {
    const [key, raw] = part.split('=')
    const field = KEYS[key]
    if (field === undefined || raw === undefined)
      throw new InvalidArgumentError(
        `unknown fault '${part}' (drop=P, delay=MS, jitter=MS, dup=P, cut=out|in|both)`,
      )
    faults[field] = field === 'cut' ? raw : Number(raw)
  }
  const parsed = LinkFaultsSchema.safeParse(faults)
  if (!parsed.success)
    throw new InvalidArgumentError(
      `${value}: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}`,
    )
  return { ...plan, [m[1]]: { ...plan[m[1]], [m[2]]: parsed.data } }
}
