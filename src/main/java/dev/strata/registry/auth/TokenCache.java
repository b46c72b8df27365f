package dev.strata.registry.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bearer tokens by (realm, service, scope), kept until shortly before they expire. Concurrent
 * requests for the same key fetch one token between them.
 */
public final class TokenCache {
  /** A token and when to stop using it. {@link #toString()} hides the token. */
  public record Token(String value, Instant expiresAt) {
    @Override
    public String toString() {
      return "Token[<redacted>, expiresAt=" + expiresAt + "]";
    }
  }

  /** Fetches a fresh token; the lifetime is what the issuer granted. */
  @FunctionalInterface
  public interface Fetcher {
    Grant fetch() throws java.io.IOException;
  }

  /** What a token endpoint granted. */
  public record Grant(String token, Duration lifetime) {
    @Override
    public String toString() {
      return "Grant[<redacted>, lifetime=" + lifetime + "]";
    }
  }

  private final Clock clock;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public TokenCache(Clock clock) {
    this.clock = clock;
  }

  /** A valid cached token for the key, or a new one from {@code fetcher}. */
  public Token get(String key, Fetcher fetcher) throws java.io.IOException {
    Optional<Token> cached = valid(key);
    if (cached.isPresent()) {
      return cached.get();
    }
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      cached = valid(key);
      if (cached.isPresent()) {
        return cached.get();
      }
      Grant grant = fetcher.fetch();
      Token token = new Token(grant.token(), clock.instant().plus(usableFor(grant.lifetime())));
      tokens.put(key, token);
      return token;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a token the registry refused, unless another thread already replaced it. */
  public void invalidate(String key, Token refused) {
    tokens.remove(key, refused);
  }

  private Optional<Token> valid(String key) {
    Token token = tokens.get(key);
    return token != null && clock.instant().isBefore(token.expiresAt())
        ? Optional.of(token)
        : Optional.empty();
  }

  /** Stop using a token a little before it expires: 10% of its life, at most 30 s. */
  private static Duration usableFor(Duration lifetime) {
    Duration margin = lifetime.dividedBy(10);
    if (margin.compareTo(Duration.ofSeconds(30)) > 0) {
      margin = Duration.ofSeconds(30);
    }
    return lifetime.minus(margin);
  }
}
