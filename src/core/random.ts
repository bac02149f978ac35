// Seeded randomness for the simulator and the algorithms: one generator per
// purpose (network, each node, each clock, workload), split from the run's seed
// by jumping, so adding a draw in one stream never shifts another.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

export class Rng {
  private constructor(private readonly gen: JumpableRandomGenerator) {}

  static fromSeed(seed: number): Rng {
    return new Rng(xoroshiro128plus(seed | 0))
  }

  /** `count` independent streams, each 2^64 draws apart from the next. */
  split(count: number): Rng[] {
    const streams: Rng[] = []
    const g = this.gen.clone()
    for (let k = 0; k < count; k++) {
      g.jump()
      streams.push(new Rng(g.clone()))
    }
    return streams
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen)
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n)
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0
    while (u === 0) u = this.float()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float())
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean
  }
}
