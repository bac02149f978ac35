// Real `clocklab` processes for the live-lab tests: started with a command prefix
// (none on loopback, `ip netns exec NS` in a namespace), their output read line by
// line, and ended by PID only (the tests' finally blocks call stopAll).
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/clocklab.mjs', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Proc {
  child: ChildProcess
  lines: string[]
  exited: Promise<number | null>
  /** Types a line into the process. */
  type(line: string): void
  /** The first line (so far or to come) that matches; rejects if the process ends first. */
  line(re: RegExp): Promise<string>
}

const started: Proc[] = []

export function clocklabProc(
  args: string[],
  prefix: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Proc {
  const argv = [...prefix, process.execPath, BIN, ...args]
  const child = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = []
  const onText = (buf: Buffer) => {
    for (const l of buf
      .toString('utf8')
      .split('\n')
      .filter((x) => x !== '')) {
      lines.push(l)
      for (const w of [...waiters])
        if (w.re.test(l)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(l)
        }
    }
  }
  child.stdout?.on('data', onText)
  child.stderr?.on('data', onText)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const proc: Proc = {
    child,
    lines,
    exited,
    type: (line) => void child.stdin?.write(`${line}\n`),
    line: (re) =>
      new Promise((resolve, reject) => {
        const found = lines.find((l) => re.test(l))
        if (found !== undefined) return resolve(found)
        waiters.push({ re, resolve })
        void exited.then((code) => {
          if (!lines.some((l) => re.test(l)))
            reject(new Error(`exited (${code}) before printing ${re}:\n${lines.join('\n')}`))
        })
      }),
  }
  started.push(proc)
  return proc
}

/** Kills one process by its PID (SIGKILL: as if the workstation's process died). */
export function killProc(p: Proc): void {
  if (p.child.exitCode === null && p.child.pid !== undefined) process.kill(p.child.pid, 'SIGKILL')
}

/** Ends every process this test file started that is still running, by PID. */
export async function stopAll(): Promise<void> {
  for (const p of started.splice(0)) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue
    if (p.child.pid !== undefined) process.kill(p.child.pid, 'SIGTERM')
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 2000))])
    if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined)
      process.kill(p.child.pid, 'SIGKILL')
  }
}
