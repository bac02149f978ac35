// The `clocklab` command line: subcommands, their --help texts, and the rule that
// bad input gets one line on stderr and exit code 2, never a stack trace.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { algorithms } from '../algorithms/registry'
import { InputError } from '../core/errors'
import { listScenarios } from '../lab/scenarios'
import { interactive } from './interactive'
import { EXPORT_FORMATS } from '../lab/export/index'
import { rewriteParamFlags } from './param-flags'
import { simCommand, type SimFlags } from './sim-command'
import { registerWebCommand } from './web-command'
import { registerClocksCommand } from './clocks-command'
import { registerNtpCommand } from './ntp-command'
import { registerGpsCommand } from './gps-command'
import { registerLanCommand } from './lan-command'

const VERSION = '0.1.0'

function wholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number')
  return Number(value)
}

function milliseconds(value: string): number {
  const x = Number(value)
  if (value.trim() === '' || !Number.isFinite(x))
    throw new InvalidArgumentError('expected a number of milliseconds')
  return x
}

function buildProgram(exit: { code: number }): Command {
  const program = new Command('clocklab')
    .description('ClockLab: a lab for distributed systems on real clocks and a real LAN')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .action(async () => {
      exit.code =
        process.stdin.isTTY && process.stdout.isTTY
          ? await interactive()
          : (program.outputHelp(), 0)
    })

  program
    .command('sim')
    .description('run an algorithm or a scenario in the deterministic simulator')
    .argument(
      '<target>',
      'a scenario file (.yaml/.json), a shipped scenario name, or an algorithm name',
    )
    .option('-n, --nodes <n>', 'number of nodes', wholeNumber)
    .option('-s, --seed <s>', 'random seed: the same seed gives the same trace', wholeNumber)
    .option('-u, --until <ms>', 'simulated time to run for, in ms', milliseconds)
    .option('--max-events <n>', 'stop after this many trace events', wholeNumber)
    .addOption(new Option('-e, --export <format>', 'write the trace').choices(EXPORT_FORMATS))
    .option(
      '-o, --out <file>',
      'file for the export (default: standard output); the extension can name the format',
    )
    .option('-c, --check', 'print every checker verdict; exit 1 if any property is violated')
    .option(
      '-d, --diagram [events]',
      'print a text space-time diagram of the first events (default 40)',
      wholeNumber,
    )
    .option('-q, --quiet', 'print nothing but the export')
    .option(
      '-p, --param <name=value>',
      "set one of the algorithm's parameters (repeatable)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .addHelpText(
      'after',
      `
Algorithm parameters: any other --name value sets the algorithm's parameter
(kebab-case for camelCase, dotted for nested: --stratum-depth 3, --discipline.mode slew;
values are read as YAML: 3, true, slew, {mode: slew}). Checked by the algorithm's
schema; -p name=value says the same for a name sim itself uses.

Export: csv is one row per event, or for a clock-synchronization algorithm one row
per clock sample (node, true time, local time, true and estimated offset, error bound).

Examples:
  clocklab sim lamport --nodes 4 --seed 7 --diagram
  clocklab sim resources/scenarios/lamport-basics.yaml --check
  clocklab sim vector --until 5000 --export shiviz --out run.log
  clocklab sim ntp --servers 3 --stratum-depth 3 --export csv

Algorithms: ${algorithms.map((a) => a.name).join(', ')}   (clocklab list)`,
    )
    .action((target: string, flags: Omit<SimFlags, 'diagram'> & { diagram?: number | true }) => {
      exit.code = simCommand(target, {
        ...flags,
        diagram: flags.diagram === true ? 40 : flags.diagram,
      })
    })

  program
    .command('list')
    .description('list the algorithms and the shipped teaching scenarios')
    .action(() => {
      const nameWidth = Math.max(...algorithms.map((a) => a.name.length))
      console.log('Algorithms:')
      for (const a of algorithms)
        console.log(`  ${a.name.padEnd(nameWidth)} ${a.family.padEnd(10)} ${a.summary}`)
      const scenarios = listScenarios()
      const scenarioWidth = Math.max(...scenarios.map((s) => s.name.length))
      console.log('\nScenarios (clocklab sim <name>):')
      for (const s of scenarios)
        console.log(
          `  ${s.name.padEnd(scenarioWidth)} ${s.scenario.description?.split('\n')[0] ?? s.scenario.algorithm}`,
        )
      exit.code = 0
    })

  registerWebCommand(program, exit)
  registerClocksCommand(program, exit)
  registerNtpCommand(program, exit)
  registerGpsCommand(program, exit)
  registerLanCommand(program, exit)
  return program
}

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: 0 }
  try {
    const program = buildProgram(exit)
    await program.parseAsync(rewriteParamFlags(argv, program), { from: 'user' })
    return exit.code
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0
      process.stderr.write(
        `clocklab: ${err.message.replace(/^error: /, '').replace(/\n+/g, ' ')}\n`,
      )
      return 2
    }
    if (err instanceof InputError) {
      process.stderr.write(`clocklab: ${err.message}\n`)
      return 2
    }
    throw err
  }
}
