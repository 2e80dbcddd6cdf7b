package io.quiver.server;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate limits per identity (an API key, or a client address without keys): {@code service.rate_limit_per_second}
 * sustained with {@code service.rate_limit_burst} at once. One limiter serves REST and gRPC, so a key's budget is the
 * same whichever API it calls.
 */
public final class RateLimiter {
  /** Buckets kept at most; beyond it idle buckets are dropped (only for per-address limiting). */
  private static final int MAX_BUCKETS = 100_000;

  private final double perSecond;
  private final int burst;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double perSecond, int burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Whether requests are limited at all ({@code rate_limit_per_second} above 0). */
  public boolean enabled() {
    return perSecond > 0;
  }

  public double perSecond() {
    return perSecond;
  }

  /** Takes a token for {@code identity}: 0 when granted, else the seconds until one is available. */
  public double take(String identity) {
    if (!enabled()) {
      return 0;
    }
    TokenBucket b = buckets.get(identity);
    if (b == null) {
      if (buckets.size() >= MAX_BUCKETS) {
        long now = System.nanoTime();
        buckets.values().removeIf(x -> x.idleFullSince(now));
      }
      b = buckets.computeIfAbsent(identity, k -> new TokenBucket(perSecond, burst));
    }
    return b.take();
  }

  /** Classic token bucket: {@code burst} tokens, refilled at {@code rate} per second; one per request. */
  private static final class TokenBucket {
    private final double rate;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    TokenBucket(double rate, int burst) {
      this.rate = rate;
      this.burst = burst;
      this.tokens = burst;
    }

    synchronized double take() {
      refill(System.nanoTime());
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (1 - tokens) / rate;
    }

    synchronized boolean idleFullSince(long now) {
      refill(now);
      return tokens >= burst;
    }

    private void refill(long now) {
      tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
      last = now;
    }
  }
}
