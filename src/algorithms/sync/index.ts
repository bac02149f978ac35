// The clock-synchronization family: Cristian, Berkeley, NTP and RBS. Each one
// annotates clock samples (notes.ts), which the checkers, the metrics and the
// clock-sample CSV read.
import type { AnyAlgorithm } from '../../core/process'
import { berkeley } from './berkeley'
import { cristian } from './cristian'
import { ntp } from './ntp/ntp'
import { rbs } from './rbs'

export const syncAlgorithms: readonly AnyAlgorithm[] = [cristian, berkeley, ntp, rbs]

export const syncAlgorithmNames: ReadonlySet<string> = new Set(syncAlgorithms.map((a) => a.name))
