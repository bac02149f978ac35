// Summary statistics for the lab's metrics: count, mean, minimum and maximum of
// a list of measurements, shared by every family's metrics and the benches.
export interface Summary {
  count: number
  /** NaN when there are no values. */
  mean: number
  min: number
  max: number
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0, mean: NaN, min: NaN, max: NaN }
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    sum += v
    if (v < min) min = v
    if (v > max) max = v
  }
  return { count: values.length, mean: sum / values.length, min, max }
}
