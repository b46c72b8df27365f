package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The images the command and mount tests share. */
public final class SampleImages {
  private SampleImages() {}

  /**
   * Three layers: every entry kind (a setuid file and its hardlink, a symlink, a FIFO, a char
   * device, an xattr), then a whiteout, an opaque directory and additions, then a file put back and
   * a symlink whited out. {@code big} becomes a large file spanning several spans.
   */
  public static Path layered(Path dir, byte[] big) {
    return LayeredImages.build(
        dir,
        "1.0",
        l ->
            l.dir("etc", 0755)
                .file("etc/os-release", 0644, "ID=strata\n")
                .xattr("etc/labelled", 0644, "labelled\n", "user.strata.test", "yes")
                .dir("usr", 0755)
                .dir("usr/bin", 0755)
                .file("usr/bin/tool", 04755, utf8("#!/bin/sh\necho tool\n"), 0, 0)
                .hardlink("usr/bin/tool-link", "usr/bin/tool")
                .symlink("bin", "usr/bin")
                .dir("var/lib/app", 0750)
                .file("var/lib/app/data", 0600, big, 1000, 1000)
                .file("var/lib/app/old", 0644, "old\n")
                .dir("run", 01777)
                .fifo("run/fifo", 0600)
                .charDevice("dev/zero", 0666, 1, 5),
        l ->
            l.mtime(1_710_000_000L)
                .whiteout("etc/os-release")
                .opaque("var/lib/app")
                .file("var/lib/app/new", 0640, "new\n")
                .file("etc/hostname", 0644, "layered\n"),
        l ->
            l.mtime(1_720_000_000L)
                .file("etc/os-release", 0644, "ID=strata\nVERSION=2\n")
                .whiteout("bin")
                .file("usr/bin/other", 0755, "other\n"));
  }

  /**
   * A tiny Linux root filesystem in two layers: busybox (statically linked) with its applets as
   * symlinks, then a layer that adds {@code /etc/motd} and deletes {@code /etc/removed}.
   */
  public static Path busybox(Path dir) {
    byte[] busybox;
    try {
      busybox = Files.readAllBytes(Path.of("/bin/busybox"));
    } catch (IOException e) {
      throw new UncheckedIOException("the chroot image needs busybox-static", e);
    }
    return LayeredImages.build(
        dir,
        "1.0",
        l -> {
          l.dir("bin", 0755).file("bin/busybox", 0755, busybox, 0, 0);
          for (String applet : new String[] {"sh", "ls", "cat", "echo", "sha256sum", "wc", "id"}) {
            l.symlink("bin/" + applet, "busybox");
          }
          l.dir("etc", 0755)
              .file("etc/os-release", 0644, "NAME=strata-busybox\n")
              .file("etc/removed", 0644, "gone soon\n")
              .dir("tmp", 01777);
        },
        l -> l.file("etc/motd", 0644, "lazily mounted\n").whiteout("etc/removed"));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
