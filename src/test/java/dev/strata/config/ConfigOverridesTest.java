package dev.strata.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigOverridesTest {
  private static final StrataConfig FILE =
      StrataConfig.parse(
          """
          state_dir: /srv/strata
          cache_max_bytes: 1GiB
          registries:
            insecure: [a.lan:5000]
            retries: 5
          contentcache:
            addresses: [cc1:7320]
          """,
          "f.yaml");

  @Test
  void noOptionsLeaveTheFile() {
    assertThat(FILE.withOverrides(ConfigOverrides.none())).isEqualTo(FILE);
  }

  @Test
  void optionsGivenReplaceTheFileValues() {
    StrataConfig c =
        FILE.withOverrides(
            new ConfigOverrides(
                null,
                Path.of("/fast/cache"),
                2048L,
                List.of("b.lan", "c.lan:80"),
                "linux/arm64/v8",
                List.of("cc2:1", "cc3:2"),
                0,
                LogLevel.TRACE,
                "[::1]:7400"));
    assertThat(c.stateDir()).isEqualTo(Path.of("/srv/strata"));
    assertThat(c.cacheDir()).isEqualTo(Path.of("/fast/cache"));
    assertThat(c.cacheMaxBytes()).isEqualTo(2048);
    assertThat(c.registries().insecure()).containsExactly("b.lan", "c.lan:80");
    assertThat(c.registries().retries()).isZero();
    assertThat(c.platform()).contains("linux/arm64/v8");
    assertThat(c.contentcache().addresses())
        .containsExactly(new HostPort("cc2", 1), new HostPort("cc3", 2));
    assertThat(c.contentcache().replicas()).isEqualTo(FILE.contentcache().replicas());
    assertThat(c.logLevel()).isEqualTo(LogLevel.TRACE);
    assertThat(c.admin().listen()).isEqualTo(new HostPort("[::1]", 7400));
    assertThat(c.admin().listen().bareHost()).isEqualTo("::1");
  }

  @Test
  void aDerivedCacheDirFollowsANewStateDirAnExplicitOneStays() {
    ConfigOverrides state =
        new ConfigOverrides(Path.of("/tmp/s"), null, null, null, null, null, null, null, null);
    assertThat(FILE.withOverrides(state).cacheDir()).isEqualTo(Path.of("/tmp/s/cache"));
    StrataConfig explicit = StrataConfig.parse("cache_dir: /c\n", "f.yaml");
    assertThat(explicit.withOverrides(state).cacheDir()).isEqualTo(Path.of("/c"));
    assertThat(explicit.withOverrides(state).stateDir()).isEqualTo(Path.of("/tmp/s"));
  }

  @Test
  void badOptionValuesNameTheOption() {
    assertThatThrownBy(
            () ->
                FILE.withOverrides(
                    new ConfigOverrides(
                        null, null, null, null, null, List.of("nohost"), null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--contentcache: 'nohost' is not an address");
    assertThatThrownBy(
            () ->
                FILE.withOverrides(
                    new ConfigOverrides(null, null, null, null, null, null, 101, null, null)))
        .hasMessageStartingWith("--retries: retries: 101 is out of range");
    assertThatThrownBy(
            () ->
                FILE.withOverrides(
                    new ConfigOverrides(null, null, 0L, null, null, null, null, null, null)))
        .hasMessageStartingWith("--cache-max-bytes: 0 must be above 0");
    assertThatThrownBy(
            () ->
                FILE.withOverrides(
                    new ConfigOverrides(null, null, null, null, "x", null, null, null, null)))
        .hasMessageStartingWith("--platform: invalid platform 'x'");
    assertThatThrownBy(
            () ->
                FILE.withOverrides(
                    new ConfigOverrides(
                        null, null, null, List.of("a b"), null, null, null, null, null)))
        .hasMessageStartingWith("--insecure-registry: 'a b' is not a registry");
  }
}
