// The mutual-exclusion family's checkers: safety (mutual exclusion), liveness
// (progress) and fairness (no starvation, for the algorithms that claim it).
import type { CheckerSpec } from '../checker'
import { mutualExclusionChecker } from './mutual-exclusion'
import { noStarvationChecker } from './no-starvation'
import { progressChecker } from './progress'

export const mutexCheckers: readonly CheckerSpec[] = [
  mutualExclusionChecker,
  progressChecker,
  noStarvationChecker,
]
