// Starts a run worker from TypeScript source (the `clocklab` command runs the engine's
// source through tsx): registers tsx's loader in this thread, then loads the worker.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
