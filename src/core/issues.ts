// Turns a schema validation issue into one line a user can act on: the field's
// path (as it is written in the file) and what was expected there.
import type { z } from 'zod'

export type Path = readonly PropertyKey[]

export function formatPath(path: Path): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out === '' ? String(p) : `.${String(p)}`
  }
  return out === '' ? '(top level)' : out
}

/** Where an issue points: for an unknown field, the field itself. */
export function issuePath(issue: z.core.$ZodIssue): Path {
  return issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path
}

export function formatIssue(issue: z.core.$ZodIssue, prefix: Path = []): string {
  const path = [...prefix, ...issuePath(issue)]
  let message = issue.message
  if (issue.code === 'unrecognized_keys')
    message = `unknown field${issue.keys.length > 1 ? ` (also ${issue.keys.slice(1).join(', ')})` : ''}`
  else if (issue.code === 'invalid_type')
    message = `expected ${issue.expected}${'input' in issue ? `, got ${describe(issue.input)}` : ''}`
  return `${formatPath(path)}: ${message}`
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the field is required)'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'an object'
  return `${typeof v} ${JSON.stringify(v)}`
}
