// The snapshot family: its algorithms.
import type { AnyAlgorithm } from '../../core/process'
import { chandyLamport } from './chandy-lamport'

export const snapshotAlgorithms: readonly AnyAlgorithm[] = [chandyLamport]
