// The replicated log as Raft indexes it: from 1, with index 0 standing for the
// empty prefix (term 0), so "the entry at prevLogIndex" always exists for index 0.
import type { Entry } from './types'

export function lastIndex(log: readonly Entry[]): number {
  return log.length
}

/** Term of the entry at `index` (0 for index 0); undefined if the log is shorter. */
export function termAt(log: readonly Entry[], index: number): number | undefined {
  if (index === 0) return 0
  return log[index - 1]?.term
}

export function lastTerm(log: readonly Entry[]): number {
  return log.length === 0 ? 0 : log[log.length - 1].term
}

/** Entries from `index` to the end. */
export function entriesFrom(log: readonly Entry[], index: number): Entry[] {
  return log.slice(index - 1)
}

/**
 * §5.4.1: a log is at least as up-to-date as another if its last term is later,
 * or the last terms are equal and it is at least as long.
 */
export function atLeastAsUpToDate(
  candidate: { lastLogTerm: number; lastLogIndex: number },
  own: readonly Entry[],
): boolean {
  const term = lastTerm(own)
  return (
    candidate.lastLogTerm > term ||
    (candidate.lastLogTerm === term && candidate.lastLogIndex >= lastIndex(own))
  )
}
