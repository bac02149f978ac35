// Algorithm parameters as command-line flags: `clocklab sim ntp --servers 3
// --stratum-depth 3` sets the algorithm's params.servers and params.stratumDepth.
// Any `--name value` after `sim` that is not one of sim's own options becomes
// `--param name=value` before commander parses the line (commander cannot tell
// an unknown option's value from the next argument). A name is kebab-case for a
// camelCase parameter and may be dotted for a nested one (--discipline.mode
// slew); a value is read as YAML (3, true, slew, {mode: slew}); a flag without a
// value is true. The merged params are checked by the algorithm's own schema
// here, so an error names the flag the user typed.
import type { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { InputError } from '../core/errors'
import { formatIssue } from '../core/issues'
import type { AnyAlgorithm } from '../core/process'

/** The explicit form every rewritten flag takes. */
export const PARAM_OPTION = '--param'

/** Rewrites unknown `--name [value]` flags of the `sim` command into `--param name=value`. */
export function rewriteParamFlags(argv: readonly string[], program: Command): string[] {
  const sim = program.commands.find((c) => c.name() === 'sim')
  if (argv[0] !== 'sim' || sim === undefined) return [...argv]
  const known = new Set<string>(['--help'])
  for (const o of sim.options) if (o.long) known.add(o.long)
  const out = ['sim']
  for (let k = 1; k < argv.length; k++) {
    const token = argv[k]
    if (token === '--') {
      out.push(...argv.slice(k))
      break
    }
    const name = token.startsWith('--') ? token.slice(2).split('=')[0] : ''
    if (name === '' || known.has(`--${name}`)) {
      out.push(token)
      continue
    }
    let value: string
    if (token.includes('=')) value = token.slice(token.indexOf('=') + 1)
    else if (k + 1 < argv.length && !/^-(?!\d|\.\d)/.test(argv[k + 1])) value = argv[++k]
    else value = 'true'
    out.push(PARAM_OPTION, `${name}=${value}`)
  }
  return out
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

/** The top-level parameter names a schema knows, when it is an object schema. */
function paramNames(schema: z.ZodType | undefined): string[] | undefined {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/**
 * Merges `key=value` parameter flags into `params` (a copy), then checks the result with the
 * algorithm's schema; an error names the flag. Returns the merged params.
 */
export function applyParamFlags(
  algorithm: AnyAlgorithm,
  params: Record<string, unknown>,
  flags: readonly string[],
): Record<string, unknown> {
  if (flags.length === 0) return params
  const merged: Record<string, unknown> = structuredClone(params)
  /** Each flag as typed, with the path it set. */
  const set: { shown: string; path: string[] }[] = []
  const names = paramNames(algorithm.params)
  for (const flag of flags) {
    const eq = flag.indexOf('=')
    if (eq <= 0) throw new InputError(`${PARAM_OPTION} ${flag}: expected name=value`)
    const path = flag.slice(0, eq).split('.').map(camel)
    const shown = `--${flag.slice(0, eq)}`
    if (!algorithm.params)
      throw new InputError(`unknown option '${shown}' (${algorithm.name} takes no parameters)`)
    if (names !== undefined && !names.includes(path[0]))
      throw new InputError(
        `unknown option '${shown}' (${algorithm.name} parameters: ${names.map((n) => `--${kebab(n)}`).join(', ')})`,
      )
    let value: unknown
    try {
      value = parseYaml(flag.slice(eq + 1))
    } catch {
      throw new InputError(`${shown}: cannot read the value '${flag.slice(eq + 1)}'`)
    }
    let at = merged
    for (const key of path.slice(0, -1)) {
      const next = at[key]
      at = at[key] =
        next !== null && typeof next === 'object' && !Array.isArray(next)
          ? (next as Record<string, unknown>)
          : {}
    }
    at[path[path.length - 1]] = value
    set.push({ shown, path })
  }
  const result = algorithm.params!.safeParse(merged, { reportInput: true })
  if (!result.success) {
    const issue = result.error.issues[0]
    const at = issue.path.map(String)
    // The last flag that set this field or a field around it.
    const flag = set.findLast(
      (f) => f.path.every((key, k) => at[k] === key) || at.every((key, k) => f.path[k] === key),
    )
    if (flag !== undefined) {
      const rest = at.slice(flag.path.length)
      const message = formatIssue(issue).replace(/^[^:]*: /, '')
      throw new InputError(
        `${flag.shown}${rest.length > 0 ? `.${rest.join('.')}` : ''}: ${message}`,
      )
    }
  }
  return merged
}
