// A space-time diagram in plain text, one row per event and one column per node,
// for terminals: the CLI's quick look at a run.
import type { TraceEvent, TraceMeta } from '../core/trace'

const COLUMN = 5

function describe(e: TraceEvent, names: string[]): string {
  const notes =
    'notes' in e && e.notes
      ? e.notes
          .map((x) => ` · ${x.kind}${x.data === undefined ? '' : `=${JSON.stringify(x.data)}`}`)
          .join('')
      : ''
  switch (e.kind) {
    case 'send':
      return `${names[e.node]} sends m${e.msg} to ${e.to.map((t) => names[t]).join(',')} ${JSON.stringify(e.payload)}`
    case 'receive':
      return `${names[e.node]} receives m${e.msg} from ${names[e.from]}${notes}`
    case 'timer':
      return `${names[e.node]} timer ${e.timer}${notes}`
    case 'command':
      return `${names[e.node]} ${JSON.stringify(e.command)}${notes}`
    case 'start':
    case 'recover':
    case 'crash':
      return `${names[e.node]} ${e.kind}${notes}`
    case 'drop':
      return `m${e.msg} ${names[e.from]}→${names[e.to]} lost (${e.reason})`
    case 'duplicate':
      return `m${e.msg} ${names[e.from]}→${names[e.to]} duplicated`
    case 'partition':
      return `partition ${e.groups.map((g) => g.map((m) => names[m]).join(',')).join(' | ')}`
    case 'heal':
      return 'partition healed'
  }
}

const SYMBOL: Record<TraceEvent['kind'], string> = {
  start: '○',
  recover: '↺',
  crash: '✕',
  send: '▶',
  receive: '◀',
  timer: '◷',
  command: '●',
  drop: '✗',
  duplicate: '⧉',
  partition: '┃',
  heal: '┃',
}

export function textDiagram(meta: TraceMeta, events: readonly TraceEvent[]): string {
  const names = meta.nodes
  const header = '   time ms ' + names.map((x) => x.slice(0, COLUMN - 1).padEnd(COLUMN)).join('')
  const rows = events.map((e) => {
    const cells = names.map(() => '│'.padEnd(COLUMN))
    const at = 'node' in e ? e.node : e.kind === 'drop' || e.kind === 'duplicate' ? e.to : -1
    if (at >= 0) cells[at] = SYMBOL[e.kind].padEnd(COLUMN)
    else cells.fill(SYMBOL[e.kind].padEnd(COLUMN))
    const time = e.time === undefined ? '' : e.time.toFixed(1)
    return `${time.padStart(10)} ${cells.join('')}${describe(e, names)}`
  })
  return [header, ...rows].join('\n')
}
