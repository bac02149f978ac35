// A reader that stops early (`clocklab sim ... --export csv | head`) closes the pipe:
// the command must end quietly with exit code 0, not print an EPIPE stack trace.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ROOT } from './run-cli'

const BIN = fileURLToPath(new URL('../../bin/clocklab.mjs', import.meta.url))

function readFirstChunkThenClose(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.once('data', () => child.stdout.destroy())
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('clocklab writing into a pipe the reader closed', () => {
  it.each([[['sim', 'lamport', '--until', '200000', '--export', 'csv', '--quiet']], [['list']]])(
    '%s ends with exit 0 and no stack trace',
    async (args) => {
      const r = await readFirstChunkThenClose(args)
      expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /)
      expect(r.code).toBe(0)
    },
  )
})
