package dev.strata.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.history.StateDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrataConfigTest {
  private static final Path DEFAULT_FILE =
      Path.of(System.getProperty("strata.project.dir", "."), "daemon/conf/strata.yaml");

  @Test
  void documentedDefaultFileEqualsBuiltInDefaults() {
    // the file documents root's defaults: the daemon runs as root
    assertThat(StrataConfig.load(DEFAULT_FILE)).isEqualTo(StrataConfig.defaults(StateDirs.SYSTEM));
  }

  @Test
  void documentedDefaultFileNamesEveryKey() throws Exception {
    String text = Files.readString(DEFAULT_FILE);
    for (String key :
        List.of(
            "state_dir:",
            "cache_dir:",
            "cache_max_bytes:",
            "memory_cache_bytes:",
            "platform:",
            "log_level:",
            "registries:",
            "insecure:",
            "mirrors:",
            "retries:",
            "docker_config:",
            "contentcache:",
            "addresses:",
            "token_file:",
            "replicas:",
            "deadline:",
            "admin:",
            "listen:",
            "mounts:",
            "image:",
            "mountpoint:",
            "layers:",
            "allow_other:",
            "prefetch:")) {
      assertThat(text).as(key).contains(key);
    }
  }

  @Test
  void emptyOrCommentOnlyFileIsTheDefaults() {
    assertThat(StrataConfig.parse("", "x.yaml")).isEqualTo(StrataConfig.defaults());
    assertThat(StrataConfig.parse("# nothing\n", "x.yaml")).isEqualTo(StrataConfig.defaults());
  }

  @Test
  void readsEveryKey() {
    StrataConfig c =
        StrataConfig.parse(
            """
            state_dir: /srv/strata
            cache_max_bytes: 512MiB
            memory_cache_bytes: 1073741824
            platform: linux/arm64
            log_level: DEBUG
            registries:
              insecure: [registry.lan:5000]
              mirrors:
                docker.io: [mirror.lan:5000, mirror2.lan]
              retries: 5
              docker_config: /root/.docker/config.json
            contentcache:
              addresses: [10.0.0.1:7320, "[fd00::1]:7320"]
              token_file: /etc/strata/contentcache.token
              replicas: 3
              deadline: 500ms
            admin:
              listen: 0.0.0.0:9000
            mounts:
              - image: registry.lan:5000/app:1.0
                mountpoint: /run/strata/app
                layers: true
                allow_other: true
                prefetch: all
              - image: alpine
                mountpoint: /run/strata/alpine
            """,
            "x.yaml");
    assertThat(c.stateDir()).isEqualTo(Path.of("/srv/strata"));
    assertThat(c.cacheDir()).isEqualTo(Path.of("/srv/strata/cache"));
    assertThat(c.cacheMaxBytes()).isEqualTo(512L << 20);
    assertThat(c.memoryCacheBytes()).isEqualTo(1L << 30);
    assertThat(c.platform()).contains("linux/arm64");
    assertThat(c.logLevel()).isEqualTo(LogLevel.DEBUG);
    assertThat(c.registries())
        .isEqualTo(
            new RegistryConfig(
                List.of("registry.lan:5000"),
                Map.of("docker.io", List.of("mirror.lan:5000", "mirror2.lan")),
                5,
                Optional.of(Path.of("/root/.docker/config.json"))));
    assertThat(c.contentcache())
        .isEqualTo(
            new ContentCacheConfig(
                List.of(new HostPort("10.0.0.1", 7320), new HostPort("[fd00::1]", 7320)),
                Optional.of(Path.of("/etc/strata/contentcache.token")),
                3,
                Duration.ofMillis(500)));
    assertThat(c.admin().listen()).isEqualTo(new HostPort("0.0.0.0", 9000));
    assertThat(c.mounts())
        .containsExactly(
            new MountEntry(
                "registry.lan:5000/app:1.0",
                Path.of("/run/strata/app"),
                true,
                true,
                MountEntry.Prefetch.ALL),
            new MountEntry(
                "alpine", Path.of("/run/strata/alpine"), false, false, MountEntry.Prefetch.NONE));
  }

  @Test
  void unknownKeyIsNamedWithItsPositionAndTheNearestValidKey() {
    assertThatThrownBy(() -> StrataConfig.parse("state_dir: /x\ncache_dri: /y\n", "f.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("f.yaml:2:1: cache_dri: unknown key (did you mean 'cache_dir'?)")
        .hasMessageContaining("valid keys here: admin, cache_dir,");
    assertThatThrownBy(() -> StrataConfig.parse("registries:\n  retrys: 2\n", "f.yaml"))
        .hasMessageStartingWith(
            "f.yaml:2:3: registries.retrys: unknown key (did you mean 'retries'?)");
    assertThatThrownBy(() -> StrataConfig.parse("cacheDir: /y\n", "f.yaml"))
        .hasMessageContaining("did you mean 'cache_dir'?");
    assertThatThrownBy(() -> StrataConfig.parse("zzzzzz: 1\n", "f.yaml"))
        .hasMessageNotContaining("did you mean")
        .hasMessageContaining("zzzzzz: unknown key (valid keys here:");
  }

  @Test
  void badValuesNameTheKeyAndWhatIsAccepted() {
    assertError("cache_max_bytes: ten\n", "f.yaml:1:1: cache_max_bytes: 'ten' is not a size");
    assertError("cache_max_bytes: 0\n", "cache_max_bytes: '0': a size must be above 0");
    assertError(
        "log_level: loud\n",
        "log_level: 'loud' is not a log level: expected one of"
            + " error, warn, info, debug, trace");
    assertError(
        "admin:\n  listen: localhost\n",
        "f.yaml:2:3: admin.listen: 'localhost' is not an" + " address: expected HOST:PORT");
    assertError("admin:\n  listen: 1.2.3.4:70000\n", "port 70000 is above 65535");
    assertError(
        "contentcache:\n  addresses: [a:1, b]\n",
        "contentcache.addresses[1]: 'b' is" + " not an address");
    assertError(
        "contentcache:\n  deadline: soon\n",
        "contentcache.deadline: 'soon' is not a" + " duration");
    assertError("contentcache:\n  replicas: 0\n", "contentcache: replicas: 0 must be 1 or more");
    assertError("registries:\n  retries: -1\n", "registries: retries: -1 is out of range 0-100");
    assertError("registries:\n  retries: '3'\n", "registries.retries: expected a whole number");
    assertError(
        "registries:\n  insecure: [http://x]\n",
        "registries.insecure[0]: 'http://x' is" + " not a registry");
    assertError("registries:\n  mirrors:\n    docker.io: []\n", "mirrors.docker.io: empty");
    assertError("state_dir: relative/dir\n", "state_dir: 'relative/dir' is not an absolute path");
    assertError("platform: linux\n", "invalid platform 'linux'");
    assertError("mounts: {}\n", "mounts: expected a list");
    assertError("registries: [a]\n", "registries: expected keys and values");
  }

  @Test
  void badMountsAreRefused() {
    assertError("mounts:\n  - mountpoint: /m\n", "mounts[0]: image: missing");
    assertError("mounts:\n  - image: alpine\n", "mounts[0]: mountpoint: missing");
    assertError("mounts:\n  - image: alpine\n    mountpoint: m\n", "'m' is not an absolute path");
    assertError(
        "mounts:\n  - image: alpine\n    mountpoint: /m\n    layers: 1\n",
        "mounts[0].layers: expected true or false");
    assertError(
        "mounts:\n  - image: alpine\n    mountpoint: /m\n    prefetch: some\n",
        "mounts[0].prefetch: 'some' is not a prefetch mode: expected one of none, startup, all");
    assertError(
        "mounts:\n  - image: 'UPPER/Case'\n    mountpoint: /m\n", "mounts[0]: image 'UPPER/Case'");
    assertError(
        "mounts:\n  - {image: alpine, mountpoint: /m}\n  - {image: busybox, mountpoint: /m/}\n",
        "f.yaml: mounts[1]: mountpoint /m is used twice");
    assertError(
        "mounts:\n  - image: alpine\n    mountpoint: /a\n  - image: alpine\n    layers: x\n",
        "f.yaml:5:5: mounts[1].layers: expected true or false");
  }

  @Test
  void duplicateKeysAndBrokenYamlAreErrors() {
    assertError("log_level: info\nlog_level: debug\n", "Duplicate field 'log_level'");
    assertError("a: b: c\n", "f.yaml:1:5: not valid YAML: mapping values are not allowed");
    assertError("- a\n- b\n", "expected keys and values (key: value) at the top");
  }

  @Test
  void unreadableFileIsAnError(@TempDir Path dir) {
    assertThatThrownBy(() -> StrataConfig.load(dir.resolve("missing.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot read configuration " + dir.resolve("missing.yaml"));
  }

  private static void assertError(String yaml, String expected) {
    assertThatThrownBy(() -> StrataConfig.parse(yaml, "f.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("f.yaml")
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
