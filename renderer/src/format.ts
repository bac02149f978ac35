// Formatting shared by the views: counts, times, event descriptions.
import type { TraceEvent } from '../../src/core/trace'

export const count = (n: number): string => n.toLocaleString('en-US')

export function ms(t: number | undefined, digits = 3): string {
  return t === undefined ? '–' : `${t.toFixed(digits)} ms`
}

/** One line saying what an event is, with node names. */
export function describeEvent(e: TraceEvent, names: readonly string[]): string {
  const name = (n: number) => names[n] ?? `n${n}`
  switch (e.kind) {
    case 'start':
      return `${name(e.node)} starts`
    case 'recover':
      return `${name(e.node)} recovers (incarnation ${e.incarnation})`
    case 'crash':
      return `${name(e.node)} crashes`
    case 'send':
      return `${name(e.node)} sends m${e.msg} to ${e.to.map(name).join(', ')}`
    case 'receive':
      return `${name(e.node)} receives m${e.msg} from ${name(e.from)}`
    case 'timer':
      return `${name(e.node)}: timer ${e.timer}`
    case 'command':
      return `${name(e.node)}: command ${JSON.stringify(e.command)}`
    case 'drop':
      return `m${e.msg} from ${name(e.from)} to ${name(e.to)} lost (${e.reason})`
    case 'duplicate':
      return `m${e.msg} from ${name(e.from)} to ${name(e.to)} duplicated`
    case 'partition':
      return `network split: ${e.groups.map((g) => g.map(name).join(',')).join(' | ')}`
    case 'heal':
      return 'network healed'
  }
}
