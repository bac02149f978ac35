// NTP's clock filter (RFC 5905, section 10): each association keeps its last 8
// samples and trusts the one with the lowest distance δ/2 + ε, ε its error bound
// grown at the skew bound since it was taken: a short round trip leaves the least
// room for asymmetry (its offset errs by at most δ/2), and the growth makes an
// old sample give way to a fresh one of a slightly longer delay, since the clock
// has drifted since. A sample is used once: if the best one is not newer than the
// last one used, the filter has nothing new to say. It also yields the peer's
// dispersion (the samples' grown bounds, weighted towards the best) and jitter
// (the RMS spread of the offsets around the best one).
// Offsets are kept as "after the corrections in progress": when the node
// corrects its clock by c, every stored offset moves by −c (as chrony does), so
// an older low-delay sample stays valid.

export const FILTER_SIZE = 8

export interface FilterSample {
  /** θ, server minus local, ms. */
  offset: number
  delay: number
  /** The sample's own error bound when taken (precision, delay-scaled drift), ms. */
  disp: number
  /** Local time it was taken, ms. */
  t: number
}

export interface FilterState {
  /** Newest first. */
  samples: FilterSample[]
  /** `t` of the last sample the filter gave out. */
  lastUsed: number
}

export interface FilterOutput extends FilterSample {
  jitter: number
}

export function newFilter(): FilterState {
  return { samples: [], lastUsed: -Infinity }
}

/** Shifts `sample` in; returns the best sample when it is one not used before. */
export function filterAdd(
  f: FilterState,
  sample: FilterSample,
  now: number,
  skewBoundPpm: number,
): FilterOutput | undefined {
  f.samples.unshift(sample)
  if (f.samples.length > FILTER_SIZE) f.samples.pop()
  const phi = skewBoundPpm * 1e-6
  const grown = (s: FilterSample) => s.disp + phi * (now - s.t)
  const byDistance = [...f.samples].sort(
    (a, b) => a.delay / 2 + grown(a) - (b.delay / 2 + grown(b)),
  )
  const best = byDistance[0]
  if (best.t <= f.lastUsed) return undefined
  f.lastUsed = best.t
  let disp = 0
  byDistance.forEach((s, k) => (disp += grown(s) / 2 ** (k + 1)))
  const others = byDistance.slice(1)
  const jitter =
    others.length === 0
      ? 0
      : Math.sqrt(others.reduce((sum, s) => sum + (s.offset - best.offset) ** 2, 0) / others.length)
  return { ...best, disp, jitter }
}

/** Moves every stored offset by −correction: the node corrected its clock by that much. */
export function filterShift(f: FilterState, correction: number): void {
  for (const s of f.samples) s.offset -= correction
}
