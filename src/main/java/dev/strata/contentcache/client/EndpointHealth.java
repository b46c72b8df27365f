package dev.strata.contentcache.client;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether calls should go to one server. A failure marks it down for a back-off period (the initial
 * back-off, doubled after each failed probe up to the maximum, reset by any answer). While down,
 * calls skip it at once. When the period ends, exactly one call is admitted as a probe; the others
 * keep skipping it until the probe's outcome is known (or, should that outcome never be recorded,
 * until another back-off period has passed).
 */
final class EndpointHealth {
  private static final Logger log = LoggerFactory.getLogger(EndpointHealth.class);

  /** What a caller may do now. */
  enum Admission {
    /** The server is up: call it. */
    CALL,
    /** The server is down but due for a probe: call it (the caller is the only prober). */
    PROBE,
    /** The server is down: do not call it. */
    SKIP
  }

  private final Endpoint endpoint;
  private final InstantSource clock;
  private final Duration initialBackoff;
  private final Duration maxBackoff;

  private boolean down;
  private @Nullable Instant downUntil;
  private Duration backoff = Duration.ZERO;
  private int consecutiveFailures;
  private long totalFailures;
  private @Nullable String lastFailure;
  private boolean unauthenticatedLogged;

  EndpointHealth(
      Endpoint endpoint, InstantSource clock, Duration initialBackoff, Duration maxBackoff) {
    this.endpoint = endpoint;
    this.clock = clock;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  synchronized Admission admit() {
    if (!down) {
      return Admission.CALL;
    }
    Instant now = clock.instant();
    if (downUntil != null && now.isBefore(downUntil)) {
      return Admission.SKIP;
    }
    downUntil = now.plus(backoff); // hold other callers off while this probe is out
    return Admission.PROBE;
  }

  /** The server answered (content, a miss or an error status: it is alive). */
  void succeeded() {
    int failures;
    synchronized (this) {
      if (!down) {
        consecutiveFailures = 0;
        return;
      }
      failures = consecutiveFailures;
      down = false;
      downUntil = null;
      backoff = Duration.ZERO;
      consecutiveFailures = 0;
    }
    log.info("ContentCache {} is back after {} failed attempt(s)", endpoint, failures);
  }

  /** The server could not answer (unavailable, timed out, broken response). */
  void failed(String reason) {
    boolean wentDown;
    Duration wait;
    synchronized (this) {
      wentDown = !down;
      backoff = wentDown ? initialBackoff : min(backoff.multipliedBy(2), maxBackoff);
      down = true;
      downUntil = clock.instant().plus(backoff);
      consecutiveFailures++;
      totalFailures++;
      lastFailure = reason;
      wait = backoff;
    }
    if (wentDown) {
      log.warn(
          "ContentCache {} is down ({}); skipping it for {} ms", endpoint, reason, millis(wait));
    } else {
      log.debug(
          "ContentCache {} still down ({}); next probe in {} ms", endpoint, reason, millis(wait));
    }
  }

  /** Logs a refused token once per server: every call would repeat it. */
  void unauthenticated(String detail) {
    synchronized (this) {
      if (unauthenticatedLogged) {
        return;
      }
      unauthenticatedLogged = true;
    }
    log.error(
        "ContentCache {} refused our credentials ({}); check the bearer token", endpoint, detail);
  }

  synchronized EndpointStatus status() {
    return new EndpointStatus(
        endpoint,
        !down,
        down ? Optional.ofNullable(downUntil) : Optional.empty(),
        consecutiveFailures,
        totalFailures,
        Optional.ofNullable(lastFailure));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static long millis(Duration d) {
    return d.toMillis();
  }
}
