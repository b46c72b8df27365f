/**
 * Test infrastructure for the OCI registry client: real registries, a token server, a
 * fault-injecting proxy and generated OCI layouts.
 *
 * <ul>
 *   <li>{@link dev.strata.testing.Registries} — shared, lazily started registries (anonymous, Basic
 *       auth, token auth) and the {@link dev.strata.testing.TokenIssuer} behind the token one;
 *       stopped at JVM exit. Use a repository name unique to your test.
 *   <li>{@link dev.strata.testing.RegistryServer} — one {@code docker-registry} process; start your
 *       own (try-with-resources) when a test needs a private or empty registry.
 *   <li>{@link dev.strata.testing.FaultProxy} with {@link dev.strata.testing.Fault} — put between
 *       the client and a registry to inject errors, resets, truncation, corruption, range
 *       misbehaviour and redirects.
 *   <li>{@link dev.strata.testing.OciLayouts} — build layouts ({@link
 *       dev.strata.testing.BuiltLayout} tells their digests) and push them with skopeo.
 *   <li>{@link dev.strata.testing.ContentCacheProcess} — {@code strata contentcache serve} as a
 *       separate process on a free loopback port (stop with SIGTERM, kill with SIGKILL, restart
 *       over the same directory); {@link dev.strata.testing.ContentCacheTestClient} speaks to it
 *       through the generated stubs (store, read a range, has).
 * </ul>
 *
 * <p>Typical integration test:
 *
 * <pre>{@code
 * RegistryServer registry = Registries.plain();
 * BuiltLayout image = OciLayouts.multiLayer(tmp, "v1", 3);
 * OciLayouts.pushWithSkopeo(tmp, "v1", registry.hostPort() + "/my-test/app:v1");
 * try (FaultProxy proxy = FaultProxy.inFrontOf(registry)) {
 *   proxy.arm(Fault.resetAfterBodyBytes(4096), "GET", "/v2/my-test/app/blobs/.*", 1);
 *   // point the client at proxy.hostPort() + "/my-test/app:v1", fetch, compare with image
 *   assertThat(proxy.count("GET", "/v2/my-test/app/blobs/.*")).isEqualTo(...);
 * }
 * }</pre>
 */
package dev.strata.testing;
