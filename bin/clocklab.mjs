#!/usr/bin/env node
// The `clocklab` command: loads the TypeScript CLI through tsx's loader, so the
// command always runs the engine's current source.
import { register } from 'tsx/esm/api'

register()
// A reader that stops early (`clocklab list | head`) closes the pipe: end quietly.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
