package dev.strata.daemon;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd ({@code Type=notify}) how the daemon is doing, only when {@code $NOTIFY_SOCKET} is
 * set. The JDK cannot send a datagram to a unix socket, so {@code systemd-notify} (a child process)
 * sends it; the unit has {@code NotifyAccess=all} so a message from a child is accepted.
 */
final class SystemdNotify {
  private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

  private SystemdNotify() {}

  static boolean enabled() {
    String socket = System.getenv("NOTIFY_SOCKET");
    return socket != null && !socket.isEmpty();
  }

  /** {@code READY=1} with a status line. */
  static void ready(String status) {
    send("READY=1", "STATUS=" + status);
  }

  /** {@code STOPPING=1}. */
  static void stopping() {
    send("STOPPING=1", "STATUS=stopping: unmounting");
  }

  private static void send(String... args) {
    if (!enabled()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("systemd-notify"));
    // assignments rather than --ready/--stopping: Debian 12's systemd-notify (252) lacks --stopping
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        log.warn("systemd-notify {} did not finish in 10 s", List.of(args));
      } else if (p.exitValue() != 0) {
        log.warn("systemd-notify {} exited {}", List.of(args), p.exitValue());
      }
    } catch (java.io.IOException e) {
      log.warn("cannot run systemd-notify: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
