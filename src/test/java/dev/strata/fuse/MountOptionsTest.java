package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {
  @Test
  void defaultsAreSafeForEitherBinding() {
    MountOptions o = MountOptions.defaults("strata:img");
    for (FuseBinding b : FuseBinding.values()) {
      List<String> fuse = FuseMount.fuseOptions(b, o);
      assertThat(fuse)
          .contains(
              "ro",
              "nodev",
              "nosuid",
              "default_permissions",
              "kernel_cache",
              "fsname=strata:img",
              "subtype=strata",
              "attr_timeout=86400",
              "entry_timeout=86400",
              "negative_timeout=86400")
          .doesNotContain("allow_other", "suid", "dev", "rw");
    }
    // libfuse 2 takes use_ino as an option; libfuse 3 only in fuse_config (set at init)
    assertThat(FuseMount.fuseOptions(FuseBinding.JNR, o)).contains("use_ino");
    assertThat(FuseMount.fuseOptions(FuseBinding.JFUSE, o)).doesNotContain("use_ino");
  }

  @Test
  void setuidAndOtherUsersOnlyWhenAsked() {
    MountOptions o =
        MountOptions.defaults("strata:img").withHonourSetuid(true).withAllowOther(true);
    assertThat(FuseMount.fuseOptions(FuseBinding.JFUSE, o))
        .contains("suid", "allow_other", "nodev", "ro")
        .doesNotContain("nosuid");
  }

  @Test
  void rejectsNamesThatWouldBreakTheOptionString() {
    assertThatThrownBy(() -> MountOptions.defaults("a,allow_other"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MountOptions.defaults("a b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MountOptions.defaults(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MountOptions.defaults("x").withMountTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
