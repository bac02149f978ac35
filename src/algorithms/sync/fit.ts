// A least-squares line through points, as RBS fits one receiver's clock against
// another's and NTP's loop fits its offsets against time to measure frequency.

/** The line y = a + b·x nearest the points (x centred for accuracy), and its largest miss. */
export function fitLine(points: readonly (readonly [number, number])[]): {
  a: number
  b: number
  maxResidual: number
} {
  const n = points.length
  const mx = points.reduce((s, p) => s + p[0], 0) / n
  const my = points.reduce((s, p) => s + p[1], 0) / n
  let sxx = 0
  let sxy = 0
  for (const [x, y] of points) {
    sxx += (x - mx) * (x - mx)
    sxy += (x - mx) * (y - my)
  }
  const b = sxx > 0 ? sxy / sxx : 0
  const a = my - b * mx
  const maxResidual = Math.max(...points.map(([x, y]) => Math.abs(y - (a + b * x))))
  return { a, b, maxResidual }
}
