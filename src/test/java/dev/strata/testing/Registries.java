package dev.strata.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Process-wide shared registries: each variant is started lazily on first use, at most once per
 * test JVM, and stopped by a JVM shutdown hook.
 *
 * <p>Tests sharing a registry must not interfere: use a repository name unique to the test (e.g.
 * derived from the test class and method) and do not rely on absolute request counts in the
 * registry log — count by a path regex that includes your repository. Tests that change {@link
 * #tokenIssuer()} settings must {@link TokenIssuer#reset()} it afterwards.
 *
 * <p>If a registry fails to start, the exception propagates and the next call tries again.
 */
public final class Registries {
  /** User of the {@link #basicAuth()} registry. */
  public static final String BASIC_USER = "alice";

  /** Password of {@link #BASIC_USER}. */
  public static final String BASIC_PASSWORD = "wonderland-secret-42";

  /** User that the {@link #tokenIssuer()} grants pull and push everywhere. */
  public static final String TOKEN_USER = TokenIssuer.USER;

  /** Password of {@link #TOKEN_USER}. */
  public static final String TOKEN_PASSWORD = TokenIssuer.PASSWORD;

  private static final Object LOCK = new Object();
  private static final List<AutoCloseable> started = new ArrayList<>();
  private static boolean hookInstalled;
  private static RegistryServer plain;
  private static RegistryServer basicAuth;
  private static RegistryServer tokenAuth;
  private static TokenIssuer tokenIssuer;

  private Registries() {}

  /** The shared anonymous registry. */
  public static RegistryServer plain() {
    synchronized (LOCK) {
      if (plain == null) {
        plain = track(RegistryServer.plain());
      }
      return plain;
    }
  }

  /** The shared registry requiring Basic auth as {@link #BASIC_USER}/{@link #BASIC_PASSWORD}. */
  public static RegistryServer basicAuth() {
    synchronized (LOCK) {
      if (basicAuth == null) {
        basicAuth = track(RegistryServer.basicAuth(BASIC_USER, BASIC_PASSWORD));
      }
      return basicAuth;
    }
  }

  /** The shared token server trusted by {@link #tokenAuth()}. */
  public static TokenIssuer tokenIssuer() {
    synchronized (LOCK) {
      if (tokenIssuer == null) {
        tokenIssuer = track(TokenIssuer.start());
      }
      return tokenIssuer;
    }
  }

  /** The shared registry in {@code auth: token} mode backed by {@link #tokenIssuer()}. */
  public static RegistryServer tokenAuth() {
    synchronized (LOCK) {
      if (tokenAuth == null) {
        tokenAuth = track(RegistryServer.tokenAuth(tokenIssuer()));
      }
      return tokenAuth;
    }
  }

  private static <T extends AutoCloseable> T track(T resource) {
    if (!hookInstalled) {
      Runtime.getRuntime()
          .addShutdownHook(
              Thread.ofPlatform()
                  .name("strata-registries-shutdown")
                  .unstarted(Registries::closeAll));
      hookInstalled = true;
    }
    started.add(resource);
    return resource;
  }

  private static void closeAll() {
    List<AutoCloseable> toClose;
    synchronized (LOCK) {
      toClose = new ArrayList<>(started);
      started.clear();
      plain = null;
      basicAuth = null;
      tokenAuth = null;
      tokenIssuer = null;
    }
    // registries before the issuer they trust: reverse start order
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        System.err.println("strata test infrastructure: cannot stop " + toClose.get(i) + ": " + e);
      }
    }
  }
}
