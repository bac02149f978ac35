// ShiViz export: ShiViz's default log format, two lines per process event, a
// description of the event and then its host and vector clock, the clock as
// JSON keyed by host name holding only non-zero entries:
//
//   receive m3 from n0 · lamport=5
//   n1 {"n0":4,"n1":2}
//
// ShiViz reads it with its default parser regular expression (SHIVIZ_REGEX)
//
//   (?<event>.*)\n(?<host>\S*) (?<clock>{.*})
//
// The file starts with that expression and an empty delimiter line, the header
// ShiViz's "Select a file" expects; pasted whole into ShiViz's text box, those
// two lines match nothing. docs/shiviz.md says how to load it.
//
// Network events (drop, duplicate, partition, heal) happen on no host, so they
// are left out: a lost message shows as a send without a receive.
//
// ShiViz's rules (js/model/parser.js, vectorTimestamp.js, modelGraph.js), kept
// here: host names are unique and have no whitespace; a clock holds its own
// host's entry, which counts that host's events 1, 2, 3, ... (vector time ticks
// once per event and survives crashes); every other entry names a host and one
// of its events. A description is one line and never looks like a host line.
//
// Vector time comes from the trace or, for a run recorded without it, from
// VectorTime, which keeps only what is still needed.
import type { JsonValue } from '../../core/json'
import {
  isProcessEvent,
  type ProcessEvent,
  type TraceEvent,
  type TraceMeta,
} from '../../core/trace'
import type { Exporter, Write } from './exporter'
import { VectorTime } from './vector-time'

export const SHIVIZ_REGEX = String.raw`(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`

export function shivizExporter(meta: TraceMeta, write: Write): Exporter {
  const hosts = shivizHosts(meta.nodes)
  const keys = hosts.map((h) => JSON.stringify(h))
  const vectorOf: (e: TraceEvent) => ArrayLike<number> | undefined = meta.vectorTime
    ? (e) => (isProcessEvent(e) ? e.vc : undefined)
    : new VectorTime(meta.nodes.length).next
  write(`${SHIVIZ_REGEX}\n\n`)
  return {
    sink(e) {
      const vc = vectorOf(e)
      if (!isProcessEvent(e) || vc === undefined) return
      write(`${describe(e, hosts)}\n${hosts[e.node]} ${clock(vc, keys)}\n`)
    },
    end() {},
  }
}

/**
 * Host names for ShiViz: the node names with whitespace turned into `_`; if
 * that leaves any empty or alike, every name gets `#<node id>` appended.
 */
export function shivizHosts(nodes: readonly string[]): string[] {
  const names = nodes.map((name) => name.replace(/\s+/g, '_'))
  const distinct = new Set(names).size === names.length && !names.includes('')
  return distinct ? names : names.map((name, id) => `${name}#${id}`)
}

function clock(vc: ArrayLike<number>, keys: readonly string[]): string {
  const entries: string[] = []
  for (let k = 0; k < vc.length; k++) if (vc[k] !== 0) entries.push(`${keys[k]}:${vc[k]}`)
  return `{${entries.join(',')}}`
}

/**
 * One line saying what happened, then the annotations. It starts with the
 * event's kind and what follows the first space never starts with `{`: else
 * ShiViz's regex would take the line for a host line (`\S* {...}`).
 */
function describe(e: ProcessEvent, hosts: readonly string[]): string {
  const notes = (e.notes ?? []).map(
    (n) => ` · ${name(n.kind)}${n.data === undefined ? '' : `=${json(n.data)}`}`,
  )
  return what(e, hosts) + notes.join('')
}

function what(e: ProcessEvent, hosts: readonly string[]): string {
  switch (e.kind) {
    case 'start':
    case 'crash':
      return e.kind
    case 'recover':
      return `recover (incarnation ${e.incarnation})`
    case 'send':
      return `send m${e.msg} to ${e.to.map((d) => hosts[d]).join(',')} ${json(e.payload)}`
    case 'receive':
      return `receive m${e.msg} from ${hosts[e.from]}`
    case 'timer':
      return `timer ${name(e.timer)}`
    case 'command':
      return `command issued ${json(e.command)}`
  }
}

/** A name as it is, or JSON-quoted if it would break the line or start with `{`, a quote or a space. */
function name(text: string): string {
  return /^[^\s{"][^\n\r\u2028\u2029]*$/.test(text) ? text : json(text)
}

/**
 * JSON on one line. JSON.stringify leaves U+2028 and U+2029 raw, which end a
 * line for `.` in a regex; it returns undefined for undefined, which the
 * simulator lets an algorithm send.
 */
function json(value: JsonValue | undefined): string {
  const text = JSON.stringify(value) ?? 'undefined'
  return text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
}
