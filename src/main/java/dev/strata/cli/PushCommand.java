package dev.strata.cli;

import dev.strata.history.HumanSize;
import dev.strata.push.ImageSource;
import dev.strata.push.PushPlan;
import dev.strata.push.Pusher;
import dev.strata.registry.ImageRef;
import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code strata push SOURCE IMAGE}. */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Push a local image to a registry: blobs concurrently (existing ones skipped), then the"
          + " manifest.",
      "SOURCE is docker-archive:PATH (a `docker save` tar) or oci:DIR[:TAG] (an OCI layout)."
    })
final class PushCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SOURCE")
  String source;

  @Parameters(index = "1", paramLabel = "IMAGE")
  String image;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description = "Blobs uploaded at once (default ${DEFAULT-VALUE}).")
  int concurrency = 4;

  @Override
  public Integer call() throws Exception {
    ImageRef destination = root.global.image(image);
    PushPlan plan = ImageSource.parse(source).plan();
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryClient client = root.global.registryClient()) {
      Pusher.Result result =
          new Pusher(client, concurrency)
              .push(
                  plan,
                  destination,
                  (blob, uploaded) -> {
                    synchronized (out) {
                      out.printf(
                          "%s %s (%s)%n",
                          uploaded ? "uploaded" : "exists  ",
                          blob.digest(),
                          HumanSize.format(blob.size()));
                      out.flush();
                    }
                  });
      out.printf(
          "pushed %s (%d blobs uploaded, %d already present)%n",
          result.pushed(), result.uploaded(), result.skipped());
    }
    out.flush();
    return 0;
  }
}
