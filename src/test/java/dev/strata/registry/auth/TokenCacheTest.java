package dev.strata.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenCacheTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Test
  void keepsATokenUntilShortlyBeforeItExpires() throws Exception {
    TokenCache cache = new TokenCache(clock);
    AtomicInteger fetches = new AtomicInteger();
    TokenCache.Fetcher fetcher =
        () -> new TokenCache.Grant("t" + fetches.incrementAndGet(), Duration.ofSeconds(100));
    assertThat(cache.get("k", fetcher).value()).isEqualTo("t1");
    now = now.plusSeconds(85);
    assertThat(cache.get("k", fetcher).value()).isEqualTo("t1");
    now = now.plusSeconds(6); // 91 s: inside the 10% margin
    assertThat(cache.get("k", fetcher).value()).isEqualTo("t2");
    assertThat(cache.get("other", fetcher).value()).isEqualTo("t3");
  }

  @Test
  void invalidateForgetsOnlyTheRefusedToken() throws Exception {
    TokenCache cache = new TokenCache(clock);
    AtomicInteger fetches = new AtomicInteger();
    TokenCache.Fetcher fetcher =
        () -> new TokenCache.Grant("t" + fetches.incrementAndGet(), Duration.ofMinutes(5));
    TokenCache.Token first = cache.get("k", fetcher);
    cache.invalidate("k", first);
    TokenCache.Token second = cache.get("k", fetcher);
    assertThat(second.value()).isEqualTo("t2");
    cache.invalidate("k", first); // stale refusal: the new token stays
    assertThat(cache.get("k", fetcher)).isEqualTo(second);
  }

  @Test
  void concurrentCallersFetchOnce() throws Exception {
    TokenCache cache = new TokenCache(Clock.systemUTC());
    AtomicInteger fetches = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    java.util.List<java.util.concurrent.Future<TokenCache.Token>> results =
        new java.util.ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 32; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return cache.get(
                      "k",
                      () -> {
                        fetches.incrementAndGet();
                        try {
                          Thread.sleep(50);
                        } catch (InterruptedException e) {
                          throw new java.io.InterruptedIOException();
                        }
                        return new TokenCache.Grant("t", Duration.ofMinutes(1));
                      });
                }));
      }
      start.countDown();
    }
    assertThat(fetches).hasValue(1);
    for (var result : results) {
      assertThat(result.get().value()).isEqualTo("t");
    }
  }

  @Test
  void secretsDoNotShowInToString() {
    assertThat(new TokenCache.Token("s3cr3t", now).toString()).doesNotContain("s3cr3t");
    assertThat(new TokenCache.Grant("s3cr3t", Duration.ZERO).toString()).doesNotContain("s3cr3t");
    assertThat(Credentials.basic("u", "s3cr3t").toString()).doesNotContain("s3cr3t");
  }
}
