package dev.strata.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.config.MountEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RememberedMountsTest {
  @TempDir Path state;

  @Test
  void mountsSurviveASaveAndLoadWithTheConfigurationsKeyNames() throws Exception {
    RememberedMounts remembered = new RememberedMounts(state);
    assertThat(remembered.load()).isEmpty();
    List<MountEntry> entries =
        List.of(
            new MountEntry("app:1", Path.of("/run/a"), true, false, MountEntry.Prefetch.ALL),
            new MountEntry(
                "r.lan:5000/x:2", Path.of("/run/b"), false, true, MountEntry.Prefetch.NONE));
    remembered.save(entries);
    assertThat(new RememberedMounts(state).load()).isEqualTo(entries);
    assertThat(Files.readString(state.resolve("mounts.json")))
        .contains("\"allow_other\" : true")
        .contains("\"prefetch\" : \"all\"")
        .doesNotContain("state")
        .doesNotContain("source");
  }

  @Test
  void aDamagedFileIsAnErrorNamingIt() throws Exception {
    Files.writeString(state.resolve("mounts.json"), "[{\"image\": \"a\", \"mountpont\": \"/x\"}]");
    assertThatThrownBy(() -> new RememberedMounts(state).load())
        .hasMessageContaining(state.resolve("mounts.json").toString())
        .hasMessageContaining("mountpont");
  }

  @Test
  void aRequestBodyIsCheckedAsStrictlyAsTheConfiguration() {
    assertThat(
            MountJson.parse(
                    "{\"image\":\"app:1\",\"mountpoint\":\"/run/a/\",\"prefetch\":\"startup\"}"
                        .getBytes(StandardCharsets.UTF_8))
                .entry())
        .isEqualTo(
            new MountEntry("app:1", Path.of("/run/a"), false, false, MountEntry.Prefetch.STARTUP));
    assertThatThrownBy(
            () -> MountJson.parse("{\"image\":\"app:1\"}".getBytes(StandardCharsets.UTF_8)).entry())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mountpoint: missing");
    assertThatThrownBy(
            () ->
                MountJson.parse(
                        "{\"image\":\"app:1\",\"mountpoint\":\"relative\"}"
                            .getBytes(StandardCharsets.UTF_8))
                    .entry())
        .hasMessageContaining("not absolute");
    assertThatThrownBy(() -> MountJson.parse("{\"imag\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imag");
  }
}
