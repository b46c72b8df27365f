package dev.strata.contentcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseTableTest {
  private static final String KEY = "publish/sha256:" + "cd".repeat(32);
  private final TestClock clock = new TestClock();
  private final LeaseTable leases = new LeaseTable(clock);

  @Test
  void aFreeKeyIsGranted() {
    LeaseTable.Lease lease = leases.acquire(KEY, "node-a", Duration.ofSeconds(30));
    assertThat(lease)
        .isEqualTo(new LeaseTable.Lease(true, "node-a", clock.instant().plusSeconds(30)));
  }

  @Test
  void aHeldKeyIsRefusedNamingItsHolder() {
    leases.acquire(KEY, "node-a", Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(10));
    LeaseTable.Lease lease = leases.acquire(KEY, "node-b", Duration.ofSeconds(30));
    assertThat(lease.granted()).isFalse();
    assertThat(lease.holder()).isEqualTo("node-a");
    assertThat(lease.expiresAt()).isEqualTo(clock.instant().plusSeconds(20));
  }

  @Test
  void theHolderRenewsItsLease() {
    leases.acquire(KEY, "node-a", Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(25));
    LeaseTable.Lease renewed = leases.acquire(KEY, "node-a", Duration.ofSeconds(30));
    assertThat(renewed.granted()).isTrue();
    assertThat(renewed.expiresAt()).isEqualTo(clock.instant().plusSeconds(30));
    clock.advance(Duration.ofSeconds(20)); // past the first lease's end, within the renewal
    assertThat(leases.acquire(KEY, "node-b", Duration.ofSeconds(30)).granted()).isFalse();
  }

  @Test
  void anExpiredLeaseGoesToTheNextAsker() {
    leases.acquire(KEY, "node-a", Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(30));
    LeaseTable.Lease lease = leases.acquire(KEY, "node-b", Duration.ofSeconds(5));
    assertThat(lease.granted()).isTrue();
    assertThat(lease.holder()).isEqualTo("node-b");
    assertThat(leases.acquire(KEY, "node-a", Duration.ofSeconds(5)).holder()).isEqualTo("node-b");
  }

  @Test
  void keysAreIndependent() {
    leases.acquire(KEY, "node-a", Duration.ofSeconds(30));
    assertThat(leases.acquire(KEY + "x", "node-b", Duration.ofSeconds(30)).granted()).isTrue();
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> leases.acquire(KEY, "node-a", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leases.acquire(KEY, "node-a", Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leases.acquire("../x", "node-a", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leases.acquire(KEY, "", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
