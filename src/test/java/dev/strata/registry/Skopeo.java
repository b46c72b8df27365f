package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs skopeo, the independent client our pushes are checked with. */
final class Skopeo {
  private Skopeo() {}

  static String run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("skopeo %s: %s", args, output).isZero();
    return output;
  }

  static String inspect(String ref) throws IOException, InterruptedException {
    return run("inspect", "--tls-verify=false", "docker://" + ref);
  }

  static String inspectRaw(String ref) throws IOException, InterruptedException {
    return run("inspect", "--raw", "--tls-verify=false", "docker://" + ref);
  }
}
