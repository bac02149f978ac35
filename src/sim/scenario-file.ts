// Reads a scenario from JSON or YAML text and validates it. Both formats go
// through the YAML parser (JSON is YAML), which keeps source positions, so an
// error names the file, the line and the field: "ring.yaml:14: faults[1].crash: ...".
import { LineCounter, parseDocument, isNode } from 'yaml'
import { InputError } from '../core/errors'
import { formatIssue, issuePath } from '../core/issues'
import { ScenarioSchema, type Scenario } from './scenario'

export function parseScenario(text: string, fileName = 'scenario'): Scenario {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const err = doc.errors[0]
    const line = lines.linePos(err.pos[0]).line
    throw new InputError(
      `${fileName}:${line}: not valid YAML or JSON: ${err.message.split('\n')[0]}`,
    )
  }
  const value: unknown = doc.toJS()
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InputError(`${fileName}: a scenario is a mapping of fields (algorithm, nodes, ...)`)
  const result = ScenarioSchema.safeParse(value, { reportInput: true })
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const path = issuePath(issue) as (string | number)[]
  // Point at the deepest part of the path that exists in the file.
  let line: number | undefined
  for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
    const node = doc.getIn(path.slice(0, depth), true)
    if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line
  }
  throw new InputError(`${fileName}${line !== undefined ? `:${line}` : ''}: ${formatIssue(issue)}`)
}
