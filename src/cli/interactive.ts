// What `clocklab` does with no arguments at a terminal: a short guided tour that
// lists the teaching scenarios, runs the one you pick and shows its space-time
// diagram and checker verdicts, until you quit.
import { createInterface } from 'node:readline/promises'
import { algorithmRegistry } from '../algorithms/registry'
import { InputError } from '../core/errors'
import { listScenarios } from '../lab/scenarios'
import { simCommand } from './sim-command'

export async function interactive(): Promise<number> {
  const scenarios = listScenarios()
  const width = Math.max(...scenarios.map((s) => s.name.length))
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  console.log('ClockLab: a lab for distributed systems on real clocks and a real LAN.')
  console.log('This is the command-line lab; `clocklab --help` lists every command.\n')
  try {
    let next = 0
    for (;;) {
      console.log('Teaching scenarios:')
      scenarios.forEach((s, k) =>
        console.log(
          `  ${String(k + 1).padStart(2)}  ${s.name.padEnd(width)} ${s.scenario.description?.split('\n')[0] ?? ''}`,
        ),
      )
      console.log(`  or an algorithm: ${[...algorithmRegistry.keys()].join(', ')}`)
      const answer = (await rl.question(`Run which? [${next + 1}, q to quit] `)).trim()
      if (answer === 'q' || answer === 'quit') return 0
      const pick = answer === '' ? next + 1 : Number(answer)
      const target = Number.isInteger(pick) && pick >= 1 ? scenarios[pick - 1]?.file : answer
      if (target === undefined) {
        console.log(`No scenario ${answer}.\n`)
        continue
      }
      if (target === scenarios[pick - 1]?.file) next = pick % scenarios.length
      try {
        simCommand(target, { check: true, diagram: 40 })
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        console.log(`${err.message}\n`)
      }
      console.log()
    }
  } finally {
    rl.close()
  }
}
