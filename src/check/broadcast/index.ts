// The broadcast family's checkers: one property each; each applies to the
// algorithms that guarantee it (src/algorithms/broadcast/index.ts).
import type { CheckerSpec } from '../checker'
import { agreementChecker } from './agreement'
import { causalOrderChecker } from './causal-order'
import { fifoOrderChecker } from './fifo-order'
import { integrityChecker } from './integrity'
import { totalOrderChecker } from './total-order'

export const broadcastCheckers: readonly CheckerSpec[] = [
  integrityChecker,
  agreementChecker,
  fifoOrderChecker,
  causalOrderChecker,
  totalOrderChecker,
]
