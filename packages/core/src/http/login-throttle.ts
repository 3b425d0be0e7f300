/**
 * Sign-in attempts, throttled: at most `perClient` failures a minute from one client (as the proxy
 * names it in `x-forwarded-for` / `x-real-ip`, which a client can forge) and `overall` failures a
 * minute in all (which it cannot get around). Even at the overall rate, a secret of 16 characters
 * holds for longer than anyone waits. In memory: each process (each serverless instance) counts its own.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perClient = 10,
    private readonly overall = 100,
    private readonly windowMs = 60_000,
  ) {}

  /** The client a request comes from, as far as the proxy in front says. */
  static clientOf(request: Request): string {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    return forwarded || request.headers.get('x-real-ip')?.trim() || 'unknown';
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Milliseconds until `client` may try again; 0 when it may now. */
  waitMs(client: string, now: number): number {
    const mine = this.recent(client, now);
    const all = this.recent('\u0000all', now);
    const until = (list: number[], max: number) => (list.length >= max ? list[list.length - max]! + this.windowMs - now : 0);
    return Math.max(0, until(mine, this.perClient), until(all, this.overall));
  }

  /** Count a failed attempt. */
  failed(client: string, now: number): void {
    for (const key of [client, '\u0000all']) this.failures.set(key, [...this.recent(key, now), now]);
    if (this.failures.size > 10_000) {
      // A flood of forged client names: forget them; the overall count stays and still holds.
      const all = this.failures.get('\u0000all') ?? [];
      this.failures.clear();
      this.failures.set('\u0000all', all);
    }
  }
}
