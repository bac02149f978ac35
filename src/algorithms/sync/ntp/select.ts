// NTP's source selection (RFC 5905, section 11.2): which servers to believe.
// - Intersection (Marzullo's algorithm as NTP uses it): each candidate says the
//   true offset lies in its correctness interval [θ − λ, θ + λ] (λ its root
//   distance). Find the smallest number f of falsetickers, f < n/2, for which
//   some interval is shared by n − f candidates and at most f midpoints lie
//   outside it; the candidates whose midpoint lies inside are the truechimers.
// - Clustering: while more than NMIN survive, drop the survivor whose offset
//   is farthest from the others (largest selection jitter), unless that spread
//   is already below the smallest peer jitter (nothing more to gain).
// - Combining: the survivors' offsets averaged, weighted by 1/λ; the first
//   (lowest λ) is the system peer, whose stratum and root values the node takes.
import type { NodeId } from '../../../core/process'

export interface Candidate {
  id: NodeId
  /** θ, source minus local, ms. */
  offset: number
  /** λ, the root distance: the half-width of the correctness interval, ms. */
  distance: number
  jitter: number
}

/** Fewest survivors clustering keeps (RFC 5905: NMIN = 3). */
export const NMIN = 3

/** The intersection interval agreed by a majority, or undefined when no majority agrees. */
export function intersection(
  cands: readonly Candidate[],
): { low: number; high: number } | undefined {
  const n = cands.length
  if (n === 0) return undefined
  // Endpoints: +1 opens an interval, 0 is a midpoint, -1 closes one. At equal values an
  // opening sorts before a midpoint before a closing, so touching intervals overlap.
  const points = cands
    .flatMap((c) => [
      { edge: c.offset - c.distance, type: 1 },
      { edge: c.offset, type: 0 },
      { edge: c.offset + c.distance, type: -1 },
    ])
    .sort((a, b) => a.edge - b.edge || b.type - a.type)
  for (let allow = 0; 2 * allow < n; allow++) {
    let found = 0
    let chime = 0
    let low = Infinity
    for (const p of points) {
      chime += p.type
      if (chime >= n - allow) {
        low = p.edge
        break
      }
      if (p.type === 0) found++
    }
    chime = 0
    let high = -Infinity
    for (let k = points.length - 1; k >= 0; k--) {
      chime -= points[k].type
      if (chime >= n - allow) {
        high = points[k].edge
        break
      }
      if (points[k].type === 0) found++
    }
    if (found <= allow && low <= high) return { low, high }
  }
  return undefined
}

/** The truechimers: candidates whose offset lies in the majority's intersection. */
export function truechimers(cands: readonly Candidate[]): Candidate[] {
  const range = intersection(cands)
  if (range === undefined) return []
  return cands.filter((c) => c.offset >= range.low && c.offset <= range.high)
}

/** Clustering: survivors sorted by distance, outliers dropped down to NMIN. */
export function cluster(cands: readonly Candidate[], nmin = NMIN): Candidate[] {
  const survivors = [...cands].sort((a, b) => a.distance - b.distance)
  while (survivors.length > nmin) {
    const spread = survivors.map((c) =>
      Math.sqrt(
        survivors.reduce((s, o) => s + (o.offset - c.offset) ** 2, 0) / (survivors.length - 1),
      ),
    )
    const worst = spread.indexOf(Math.max(...spread))
    const minJitter = Math.min(...survivors.map((c) => c.jitter))
    if (spread[worst] <= minJitter) break
    survivors.splice(worst, 1)
  }
  return survivors
}

/** The survivors' offsets weighted by 1/λ, and their spread around it. */
export function combine(survivors: readonly Candidate[]): { offset: number; jitter: number } {
  let weight = 0
  let sum = 0
  for (const c of survivors) {
    const w = 1 / Math.max(c.distance, 1e-9)
    weight += w
    sum += w * c.offset
  }
  const offset = sum / weight
  let spread = 0
  for (const c of survivors) spread += (c.offset - offset) ** 2 / Math.max(c.distance, 1e-9)
  return { offset, jitter: Math.sqrt(spread / weight) }
}
