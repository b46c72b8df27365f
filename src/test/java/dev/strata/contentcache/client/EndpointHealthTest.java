package dev.strata.contentcache.client;

import static dev.strata.contentcache.client.EndpointHealth.Admission.CALL;
import static dev.strata.contentcache.client.EndpointHealth.Admission.PROBE;
import static dev.strata.contentcache.client.EndpointHealth.Admission.SKIP;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
  private final MutableClock clock = new MutableClock();
  private final EndpointHealth health =
      new EndpointHealth(
          new Endpoint("cache", 7312), clock, Duration.ofSeconds(1), Duration.ofSeconds(30));

  @Test
  void upUntilAFailureThenSkippedForTheBackoff() {
    assertThat(health.admit()).isEqualTo(CALL);
    health.failed("UNAVAILABLE");
    EndpointStatus status = health.status();
    assertThat(status.up()).isFalse();
    assertThat(status.downUntil()).contains(clock.instant().plusSeconds(1));
    assertThat(status.lastFailure()).contains("UNAVAILABLE");
    assertThat(health.admit()).isEqualTo(SKIP);
    clock.advance(Duration.ofMillis(999));
    assertThat(health.admit()).isEqualTo(SKIP);
  }

  @Test
  void oneProbeAtATimeAfterTheBackoff() {
    health.failed("UNAVAILABLE");
    clock.advance(Duration.ofSeconds(1));
    assertThat(health.admit()).isEqualTo(PROBE);
    assertThat(health.admit()).isEqualTo(SKIP); // the probe is out
    health.succeeded();
    assertThat(health.admit()).isEqualTo(CALL);
    assertThat(health.status().up()).isTrue();
    assertThat(health.status().consecutiveFailures()).isZero();
    assertThat(health.status().totalFailures()).isEqualTo(1);
  }

  @Test
  void backoffDoublesPerFailedProbeUpToTheMaximumAndResetsOnSuccess() {
    health.failed("x");
    long[] expectedSeconds = {2, 4, 8, 16, 30, 30};
    for (long seconds : expectedSeconds) {
      clock.advance(Duration.ofSeconds(60));
      assertThat(health.admit()).isEqualTo(PROBE);
      health.failed("x");
      assertThat(health.status().downUntil()).contains(clock.instant().plusSeconds(seconds));
    }
    assertThat(health.status().consecutiveFailures()).isEqualTo(7);
    clock.advance(Duration.ofSeconds(60));
    assertThat(health.admit()).isEqualTo(PROBE);
    health.succeeded();
    health.failed("again");
    assertThat(health.status().downUntil()).contains(clock.instant().plusSeconds(1));
  }

  @Test
  void aProbeWhoseOutcomeIsLostDoesNotKeepTheServerDownForever() {
    health.failed("x");
    clock.advance(Duration.ofSeconds(1));
    assertThat(health.admit()).isEqualTo(PROBE);
    clock.advance(Duration.ofSeconds(1));
    assertThat(health.admit()).isEqualTo(PROBE);
  }
}
