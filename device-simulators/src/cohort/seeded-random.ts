/**
 * A small seeded pseudo-random generator (mulberry32) so a cohort is the same for the same seed,
 * on every machine. Not for secrets.
 */
export class SeededRandom {
  private state: number;
  private spareGaussian: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator for one part of the cohort (a patient, a patient's day), independent of the others. */
  static derive(...parts: readonly number[]): SeededRandom {
    let hash = 0x811c9dc5;
    for (const part of parts) {
      // FNV-1a over each 32-bit part, then a final avalanche, so neighbouring seeds differ widely.
      let word = part >>> 0;
      for (let i = 0; i < 4; i++) {
        hash = Math.imul(hash ^ (word & 0xff), 0x01000193);
        word >>>= 8;
      }
    }
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    return new SeededRandom(hash >>> 0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Normally distributed (Box–Muller), mean 0 and the given standard deviation. */
  gaussian(sd = 1): number {
    if (this.spareGaussian !== undefined) {
      const spare = this.spareGaussian;
      this.spareGaussian = undefined;
      return spare * sd;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareGaussian = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v) * sd;
  }
}
