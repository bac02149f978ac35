// The snapshot family's checkers.
import type { CheckerSpec } from '../checker'
import { snapshotConsistencyChecker } from './consistency'

export const snapshotCheckers: readonly CheckerSpec[] = [snapshotConsistencyChecker]
