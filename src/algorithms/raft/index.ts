// The raft family: one algorithm, Raft with its key-value store and clients.
import type { AnyAlgorithm } from '../../core/process'
import { raft } from './raft'

export const raftAlgorithms: readonly AnyAlgorithm[] = [raft]
