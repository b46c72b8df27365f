package dev.strata.registry;

import java.io.InterruptedIOException;
import java.time.Duration;

/** Waits between retries; tests inject one that records instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
  Sleeper REAL =
      duration -> {
        try {
          Thread.sleep(duration);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting to retry");
        }
      };

  void sleep(Duration duration) throws InterruptedIOException;
}
