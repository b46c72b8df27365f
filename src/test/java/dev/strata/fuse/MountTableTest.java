package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
  @Test
  void parsesAFuseLineWithOptionalFieldsAndEscapes() {
    MountTable.Entry e =
        MountTable.parseLine(
            "412 27 0:61 / /tmp/my\\040mount\\134x rw,nosuid,nodev,relatime shared:201 master:3"
                + " - fuse.strata strata:registry/repo:tag"
                + " rw,user_id=0,group_id=0,default_permissions");
    assertThat(e).isNotNull();
    assertThat(e.id()).isEqualTo(412);
    assertThat(e.device()).isEqualTo("0:61");
    assertThat(e.connection()).isEqualTo(61);
    assertThat(e.mountPoint()).isEqualTo(Path.of("/tmp/my mount\\x"));
    assertThat(e.mountOptions()).isEqualTo("rw,nosuid,nodev,relatime");
    assertThat(e.fsType()).isEqualTo("fuse.strata");
    assertThat(e.source()).isEqualTo("strata:registry/repo:tag");
    assertThat(e.superOptions()).contains("default_permissions");
    assertThat(e.isFuse()).isTrue();
  }

  @Test
  void tellsFuseFromOtherFilesystems() {
    List<MountTable.Entry> entries =
        MountTable.parse(
            List.of(
                "22 27 0:21 / /proc rw,relatime - proc proc rw",
                "30 27 0:40 / /mnt/a ro - fuse sshfs#x rw",
                "31 27 0:41 / /mnt/b ro - fuseblk /dev/sdb1 rw",
                "garbage",
                ""));
    assertThat(entries).extracting(MountTable.Entry::isFuse).containsExactly(false, true, true);
  }

  @Test
  void unescapesUtf8Bytes() {
    assertThat(MountTable.unescape("/tmp/\\303\\274")).isEqualTo("/tmp/ü");
    assertThat(MountTable.unescape("/tmp/ü\\011tab")).isEqualTo("/tmp/ü\ttab");
    assertThat(MountTable.unescape("/tmp/back\\slash")).isEqualTo("/tmp/back\\slash");
  }

  @Test
  void readsThisProcesssTable() throws Exception {
    assertThat(MountTable.read())
        .anySatisfy(e -> assertThat(e.mountPoint()).isEqualTo(Path.of("/")));
  }
}
