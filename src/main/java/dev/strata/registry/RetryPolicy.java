package dev.strata.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how long to wait before retrying an idempotent request: exponential backoff with
 * full jitter (a uniform delay in {@code [0, min(maxDelay, baseDelay * 2^attempt)]}), unless the
 * registry said how long with {@code Retry-After}, which is honoured up to {@code maxRetryAfter}.
 */
public record RetryPolicy(
    int maxRetries, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(60));

  public RetryPolicy {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("retries must be >= 0, got " + maxRetries);
    }
  }

  public RetryPolicy withMaxRetries(int retries) {
    return new RetryPolicy(retries, baseDelay, maxDelay, maxRetryAfter);
  }

  /**
   * The wait before retry number {@code attempt} (0 for the first retry).
   *
   * @param retryAfter what the server asked for, or {@code null}
   */
  public Duration delay(int attempt, Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
    }
    long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt, 20));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
  }
}
