package dev.strata.contentcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.contentcache.v1.ContentCacheGrpc;
import dev.strata.registry.Digest;
import dev.strata.testing.ContentCacheTestClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthAndHealthTest {
  private static final String TOKEN = "s3cret-token";
  private static final String SOME_HASH = Digest.sha256(new byte[] {1}).toString();

  @TempDir Path dir;
  private InProcessCache cache;

  @BeforeEach
  void start() throws Exception {
    cache = new InProcessCache(ServerOptions.of(dir, 1 << 20).withToken(TOKEN));
  }

  @AfterEach
  void stop() {
    cache.close();
  }

  private static void assertUnauthenticated(ContentCacheTestClient client) {
    assertThatThrownBy(() -> client.has(SOME_HASH))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> client.read(SOME_HASH, 0, 1))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> client.store(new byte[] {1}, ""))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  @Test
  void callsWithoutTheTokenAreRefused() throws Exception {
    try (ContentCacheTestClient client = cache.client()) {
      assertUnauthenticated(client);
    }
    assertThat(cache.server.store().contentCount()).isZero();
  }

  @Test
  void callsWithAWrongTokenAreRefused() throws Exception {
    try (ContentCacheTestClient client = cache.client(TOKEN + "x")) {
      assertUnauthenticated(client);
    }
    try (ContentCacheTestClient client = cache.client("s3cret-tokem")) {
      assertUnauthenticated(client);
    }
    assertThat(cache.server.metrics().text())
        .contains(
            "strata_contentcache_requests_total{code=\"UNAUTHENTICATED\",method=\"HasContent\"} 2");
  }

  @Test
  void callsWithTheTokenAreServed() throws Exception {
    try (ContentCacheTestClient client = cache.client(TOKEN)) {
      assertThat(client.store(new byte[] {1}, SOME_HASH).getHash()).isEqualTo(SOME_HASH);
      assertThat(client.read(SOME_HASH, 0, 1).bytes()).containsExactly(1);
    }
  }

  @Test
  void healthAnswersWithoutTheToken() throws Exception {
    ManagedChannel channel = cache.channel();
    try {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
      assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);
      assertThat(
              health
                  .check(
                      HealthCheckRequest.newBuilder()
                          .setService(ContentCacheGrpc.SERVICE_NAME)
                          .build())
                  .getStatus())
          .isEqualTo(ServingStatus.SERVING);
    } finally {
      channel.shutdownNow();
    }
  }
}
