// The clock-synchronization checkers: wall-clock consumers never see time go back.
import type { CheckerSpec } from '../checker'
import { clockMonotonicityChecker } from './clock-monotonicity'

export const syncCheckers: readonly CheckerSpec[] = [clockMonotonicityChecker]
