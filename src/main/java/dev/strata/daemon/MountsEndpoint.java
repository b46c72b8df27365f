package dev.strata.daemon;

import dev.strata.admin.ControlEndpoint;
import dev.strata.config.MountEntry;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code /mounts} on the admin server (loopback clients only): {@code GET} lists the kept mounts as
 * JSON, {@code POST} with a mount as JSON ({@code {"image": ..., "mountpoint": ..., "layers":
 * false, "allow_other": false, "prefetch": "none"}}) mounts and remembers it, {@code DELETE
 * ?mountpoint=DIR} unmounts and forgets it. Answers are one line of text (JSON for {@code GET}).
 */
final class MountsEndpoint implements ControlEndpoint {
  private final DaemonMounts mounts;

  MountsEndpoint(DaemonMounts mounts) {
    this.mounts = mounts;
  }

  @Override
  public Reply handle(String method, Map<String, String> query, byte[] body) throws Exception {
    return switch (method) {
      case "GET" ->
          Reply.json(
              200,
              MountJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(mounts.list())
                  + "\n");
      case "POST" -> {
        MountEntry entry = MountJson.parse(body).entry();
        DaemonMounts.Outcome outcome = mounts.add(entry);
        yield Reply.text(outcome.status(), outcome.message());
      }
      case "DELETE" -> {
        String mountpoint = query.get("mountpoint");
        if (mountpoint == null || mountpoint.isBlank()) {
          throw new IllegalArgumentException("DELETE /mounts needs ?mountpoint=DIR");
        }
        DaemonMounts.Outcome outcome = mounts.remove(Path.of(mountpoint).normalize());
        yield Reply.text(outcome.status(), outcome.message());
      }
      default -> Reply.text(405, method + " not allowed: use GET, POST or DELETE");
    };
  }
}
