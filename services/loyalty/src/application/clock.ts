import { Injectable } from '@nestjs/common';

/**
 * The service's clock (epoch ms): the `now` of every decision, the summaries and the due-work
 * scheduler. The wall clock unless set; tests and drills move it (`set`, `advance`) to see points
 * activate and expire without waiting.
 */
@Injectable()
export class LoyaltyClock {
  private fixed: number | null = null;

  now(): number {
    return this.fixed ?? Date.now();
  }

  set(at: number): void {
    this.fixed = at;
  }

  advance(ms: number): void {
    this.fixed = this.now() + ms;
  }
}
