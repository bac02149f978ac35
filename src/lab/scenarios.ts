// The library of teaching scenarios shipped under resources/scenarios/: list
// them, find one by name, and load a scenario from any file a user names.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from '../core/errors'
import { parseScenario } from '../sim/scenario-file'
import type { Scenario } from '../sim/scenario'

export const SCENARIO_DIR = fileURLToPath(new URL('../../resources/scenarios/', import.meta.url))

const SCENARIO_EXTENSIONS = new Set(['.yaml', '.yml', '.json'])

export interface ScenarioInfo {
  name: string
  file: string
  scenario: Scenario
}

/** Every scenario file in `dir`, by file name without extension, sorted; not yet read. */
export function scenarioFiles(dir = SCENARIO_DIR): { name: string; file: string }[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => SCENARIO_EXTENSIONS.has(extname(f)))
    .sort()
    .map((f) => ({ name: basename(f, extname(f)), file: join(dir, f) }))
}

/** Every shipped scenario, by file name without extension, sorted. */
export function listScenarios(dir = SCENARIO_DIR): ScenarioInfo[] {
  return scenarioFiles(dir).map(({ name, file }) => ({
    name,
    file,
    scenario: loadScenarioFile(file),
  }))
}

export function findScenario(name: string, dir = SCENARIO_DIR): string | undefined {
  for (const ext of SCENARIO_EXTENSIONS) {
    const file = join(dir, name + ext)
    if (existsSync(file)) return file
  }
  return undefined
}

export function loadScenarioFile(file: string): Scenario {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InputError(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`,
    )
  }
  return parseScenario(text, file)
}
