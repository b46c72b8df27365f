package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(1000), Duration.ofSeconds(5));

  @Test
  void fullJitterStaysWithinTheExponentialCap() {
    for (int attempt = 0; attempt < 8; attempt++) {
      long cap = Math.min(1000, 100L << attempt);
      for (int i = 0; i < 200; i++) {
        assertThat(policy.delay(attempt, null).toMillis()).isBetween(0L, cap);
      }
    }
  }

  @Test
  void jitterSpreadsDelays() {
    long distinct =
        java.util.stream.IntStream.range(0, 100)
            .mapToLong(i -> policy.delay(3, null).toMillis())
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(10);
  }

  @Test
  void retryAfterIsHonouredUpToItsCap() {
    assertThat(policy.delay(0, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.delay(0, Duration.ofSeconds(600))).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void retryAfterParsesSecondsAndDates() {
    assertThat(RegistryHttp.retryAfter("3")).isEqualTo(Duration.ofSeconds(3));
    assertThat(RegistryHttp.retryAfter(null)).isNull();
    assertThat(RegistryHttp.retryAfter("soon")).isNull();
    String inTenSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
    assertThat(RegistryHttp.retryAfter(inTenSeconds))
        .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
    String past =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(java.time.ZoneOffset.UTC).minusSeconds(10));
    assertThat(RegistryHttp.retryAfter(past)).isEqualTo(Duration.ZERO);
  }
}
