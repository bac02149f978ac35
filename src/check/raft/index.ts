// Raft's safety properties (the paper's Figure 3) as trace checkers, plus the
// linearizability of the key-value history its clients saw.
import type { CheckerSpec } from '../checker'
import { kvLinearizabilityChecker } from '../linearizability/kv-checker'
import { electionSafetyChecker } from './election-safety'
import { leaderCompletenessChecker } from './leader-completeness'
import { logMatchingChecker } from './log-matching'
import { stateMachineSafetyChecker } from './state-machine-safety'

export const raftCheckers: readonly CheckerSpec[] = [
  electionSafetyChecker,
  logMatchingChecker,
  leaderCompletenessChecker,
  stateMachineSafetyChecker,
  kvLinearizabilityChecker,
]
