// The seam between the live NTP client and the NTP algorithm: the client hands each server's
// samples to a clock filter and the servers' filtered estimates to selection, through these
// functions only. The default is the simulator's own NTP algorithm (src/algorithms/sync/ntp:
// RFC 5905's clock filter, intersection, clustering and combining), so live samples go
// through exactly the rules the lab teaches. Units are milliseconds, as there.
import {
  filterAdd,
  newFilter,
  type FilterOutput,
  type FilterSample,
  type FilterState,
} from '../../algorithms/sync/ntp/filter'
import { cluster, combine, truechimers, type Candidate } from '../../algorithms/sync/ntp/select'

export type { Candidate, FilterOutput, FilterSample, FilterState }

export interface Selection {
  /** Candidates that survived intersection and clustering, lowest root distance first. */
  survivors: Candidate[]
  /** The truechimers (before clustering). */
  truechimers: Candidate[]
  /** The survivors' combined offset (weighted by 1 / root distance) and its jitter, ms. */
  offset: number
  jitter: number
}

export interface SyncFunctions {
  newFilter(): FilterState
  /** Shifts a sample in; returns the filter's best sample when it is a new one. */
  filterAdd(
    filter: FilterState,
    sample: FilterSample,
    now: number,
    skewBoundPpm: number,
  ): FilterOutput | undefined
  /** Selection over candidates; undefined when no majority agrees. */
  select(candidates: readonly Candidate[]): Selection | undefined
}

export const rfc5905: SyncFunctions = {
  newFilter,
  filterAdd,
  select(candidates) {
    const chimers = truechimers(candidates)
    if (chimers.length === 0) return undefined
    const survivors = cluster(chimers)
    return { survivors, truechimers: chimers, ...combine(survivors) }
  },
}
