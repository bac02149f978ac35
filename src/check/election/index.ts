// The election checkers: safety per round (one coordinator per round; in bully,
// the highest process alive wins) and agreement on the highest live process
// once the run is quiet.
import type { CheckerSpec } from '../checker'
import { leaderAgreementChecker } from './leader-agreement'
import { oneLeaderPerRoundChecker } from './one-leader-per-round'

export const electionCheckers: readonly CheckerSpec[] = [
  oneLeaderPerRoundChecker,
  leaderAgreementChecker,
]
