package dev.strata.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDirsTest {
  private static final Path HOME = Path.of("/home/ada");

  @Test
  void explicitWins() {
    Path explicit = Path.of("/srv/strata");
    assertThat(StateDirs.resolve(explicit, true, Map.of(), HOME)).isEqualTo(explicit);
    assertThat(StateDirs.resolve(explicit)).isEqualTo(explicit);
  }

  @Test
  void rootUsesVarLib() {
    assertThat(StateDirs.resolve(null, true, Map.of("XDG_DATA_HOME", "/x"), HOME))
        .isEqualTo(Path.of("/var/lib/strata"));
  }

  @Test
  void usersUseXdgDataHomeElseLocalShare() {
    assertThat(StateDirs.resolve(null, false, Map.of("XDG_DATA_HOME", "/data/ada"), HOME))
        .isEqualTo(Path.of("/data/ada/strata"));
    assertThat(StateDirs.resolve(null, false, Map.of(), HOME))
        .isEqualTo(Path.of("/home/ada/.local/share/strata"));
    assertThat(StateDirs.resolve(null, false, Map.of("XDG_DATA_HOME", ""), HOME))
        .isEqualTo(Path.of("/home/ada/.local/share/strata"));
    // the XDG spec: relative paths are invalid and ignored
    assertThat(StateDirs.resolve(null, false, Map.of("XDG_DATA_HOME", "rel"), HOME))
        .isEqualTo(Path.of("/home/ada/.local/share/strata"));
  }

  @Test
  void thisProcessGetsOneOfThem() {
    Path resolved = StateDirs.resolve(null);
    if (StateDirs.isRoot()) {
      assertThat(resolved).isEqualTo(StateDirs.SYSTEM);
    } else {
      assertThat(resolved.toString()).endsWith("strata");
    }
  }
}
