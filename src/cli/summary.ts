// The short human summary printed after a run: what ran, how much happened, and
// what the checkers found.
import type { Verdict } from '../check/checker'
import type { TraceMeta } from '../core/trace'
import type { SimStats } from '../sim/simulator'

const n = (x: number): string => x.toLocaleString('en-US')

export function formatSummary(
  meta: TraceMeta,
  stats: SimStats,
  verdicts: Verdict[],
  detailed: boolean,
): string {
  const ending = stats.quiescent ? 'nothing left to happen' : 'reached the limit'
  const lines = [
    `${meta.algorithm} · ${meta.nodes.length} nodes · seed ${meta.seed} · ${n(stats.time)} ms simulated (${ending})`,
    `  ${n(stats.events)} events, ${n(stats.messages)} messages: ${n(stats.delivered)} delivered, ${n(stats.dropped)} dropped, ${n(stats.duplicated)} duplicated`,
  ]
  const violations = verdicts.reduce((sum, v) => sum + v.violations.length, 0)
  if (detailed) {
    for (const v of verdicts) {
      lines.push(`  ${v.ok ? '✓' : '✗'} ${v.checker}: ${v.description}`)
      for (const x of v.violations.slice(0, 5))
        lines.push(`      at event ${x.at < 0 ? '(whole run)' : x.at}: ${x.message}`)
      if (v.violations.length > 5) lines.push(`      ... and ${n(v.violations.length - 5)} more`)
    }
  }
  lines.push(
    `  ${n(violations)} violation${violations === 1 ? '' : 's'} (${verdicts.map((v) => v.checker).join(', ')})`,
  )
  return lines.join('\n')
}
