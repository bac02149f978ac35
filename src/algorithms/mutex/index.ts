// The mutual-exclusion family: every algorithm, and which of them claim
// fairness (bounded waiting), so checkers know what each one promises.
import type { AnyAlgorithm } from '../../core/process'
import { mutexCentral } from './central'
import { mutexMajority } from './majority'
import { ricartAgrawala } from './ricart-agrawala'
import { suzukiKasami } from './suzuki-kasami'
import { tokenRing } from './token-ring'

export const mutexAlgorithms: readonly AnyAlgorithm[] = [
  mutexCentral,
  ricartAgrawala,
  tokenRing,
  suzukiKasami,
  mutexMajority,
]

export const mutexAlgorithmNames: ReadonlySet<string> = new Set(mutexAlgorithms.map((a) => a.name))

/**
 * The algorithms that serve requests in a fair order (FIFO at the coordinator,
 * timestamp order, ring order, the token's queue), so that once a request is
 * known to everyone it waits for at most N-1 other entries. Majority voting is
 * not fair and makes no such claim.
 */
export const fairMutexAlgorithms: ReadonlySet<string> = new Set(
  [mutexCentral, ricartAgrawala, tokenRing, suzukiKasami].map((a) => a.name),
)
