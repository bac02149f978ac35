// Reads a ShiViz log the way ShiViz does (DistributedClocks/shiviz): the file
// header as js/shiviz.js reads an uploaded file, events found with the parser
// regular expression as in js/model/parser.js, and the clock rules of
// js/model/vectorTimestamp.js and js/model/modelGraph.js. It throws what ShiViz
// would reject, so a test can tell that an export loads as it is.

/** ShiViz's default parser, as written in js/shiviz.js (`defaultParser`). */
export const SHIVIZ_DEFAULT_PARSER = '(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})'

export interface ShiVizEvent {
  event: string
  host: string
  /** Non-zero entries only, as ShiViz keeps them. */
  clock: Record<string, number>
}

/**
 * Loads a file as ShiViz's "Select a file" does: the first line is the parser
 * (wrapped in ^...$), or the default when empty; the second the delimiter; the
 * rest the log.
 */
export function loadShiVizFile(text: string): ShiVizEvent[] {
  const [parser, delimiter] = text.split('\n', 2)
  if (delimiter.trim() !== '') throw new Error('this reader handles single executions only')
  const log = text.slice(text.indexOf('\n', text.indexOf('\n') + 1) + 1)
  return parseShiVizLog(log, parser.trim() ? `^${parser}$` : SHIVIZ_DEFAULT_PARSER)
}

/** Parses a log as pasted into ShiViz's text box, then checks its clocks. */
export function parseShiVizLog(log: string, parser = SHIVIZ_DEFAULT_PARSER): ShiVizEvent[] {
  const events: ShiVizEvent[] = []
  for (const match of log.trim().matchAll(new RegExp(parser, 'gm'))) {
    const { event, host, clock } = match.groups as Record<string, string>
    const parsed = JSON.parse(clock) as Record<string, number>
    if (!Object.hasOwn(parsed, host))
      throw new Error(`Local host "${host}" is missing from timestamp ${clock}`)
    events.push({
      event,
      host,
      clock: Object.fromEntries(Object.entries(parsed).filter(([, t]) => t !== 0)),
    })
  }
  if (events.length === 0)
    throw new Error('The parser RegExp you entered does not capture any events')
  checkClocks(events)
  return events
}

/** modelGraph.js: per host, own times are 1, 2, 3...; every entry names a host's existing event. */
function checkClocks(events: readonly ShiVizEvent[]): void {
  const byHost = new Map<string, ShiVizEvent[]>()
  for (const e of events) {
    const own = byHost.get(e.host) ?? []
    own.push(e)
    byHost.set(e.host, own)
  }
  for (const [host, own] of byHost) {
    const times = own.map((e) => e.clock[host]).sort((a, b) => a - b)
    times.forEach((t, k) => {
      if (t !== k + 1)
        throw new Error(
          `host "${host}": clock values must start at 1 and increase by 1, got ${t} for its event ${k + 1}`,
        )
    })
  }
  for (const e of events)
    for (const [host, t] of Object.entries(e.clock)) {
      const count = byHost.get(host)?.length
      if (count === undefined)
        throw new Error(`clock of "${e.event}" names an unrecognized host "${host}"`)
      if (t < 1 || t > count)
        throw new Error(`clock of "${e.event}" has an invalid value ${t} for host "${host}"`)
    }
}
