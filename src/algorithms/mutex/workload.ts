// What drives every mutex algorithm: the one command (ask for the critical
// section), the random workload that issues it, and the hold time a node stays
// inside before it leaves on its own.
import { z } from 'zod'

export const MutexCommandSchema = z.object({ kind: z.literal('request') }).strict()

export type MutexCommand = z.infer<typeof MutexCommandSchema>

/** The built-in workload: every random command is a request (the rate is the scenario's). */
export const randomRequest = (): MutexCommand => ({ kind: 'request' })

/** How long a node stays in the critical section, ms of its local clock. */
export const holdMs = z.number().nonnegative().default(20)

/** The name of the timer that ends a node's stay in the critical section. */
export const EXIT_TIMER = 'exit'
