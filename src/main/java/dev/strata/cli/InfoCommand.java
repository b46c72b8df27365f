package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.history.HumanSize;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code strata info IMAGE [--json]}: the resolved manifest and one row per layer. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Resolve an image: manifest, platform, config and its layers.")
final class InfoCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "IMAGE", description = "Image reference, e.g. 127.0.0.1:5000/app:1.0")
  String image;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ImageManifest manifest;
    try (RegistryClient client = root.global.registryClient()) {
      manifest = client.resolve(root.global.image(image), root.global.platform());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(toJson(manifest));
    } else {
      printTable(manifest, out);
    }
    out.flush();
    return 0;
  }

  static String toJson(ImageManifest manifest) throws Exception {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("image", manifest.ref().toString());
    root.put("manifestDigest", manifest.manifestDigest().toString());
    root.put("mediaType", manifest.mediaType());
    if (manifest.indexDigest() != null) {
      root.put("indexDigest", manifest.indexDigest().toString());
    }
    root.put("platform", manifest.platform().toString());
    root.put("configDigest", manifest.configDigest().toString());
    root.put("compressedSize", manifest.compressedSize());
    ArrayNode layers = root.putArray("layers");
    for (LayerDescriptor layer : manifest.layers()) {
      ObjectNode row = layers.addObject();
      row.put("index", layer.index());
      row.put("digest", layer.digest().toString());
      row.put("mediaType", layer.mediaType());
      row.put("size", layer.size());
      row.put("diffId", layer.diffId().toString());
    }
    return mapper.writeValueAsString(root);
  }

  private static void printTable(ImageManifest manifest, PrintWriter out) {
    out.printf("image:     %s%n", manifest.ref());
    out.printf("manifest:  %s (%s)%n", manifest.manifestDigest(), manifest.mediaType());
    if (manifest.indexDigest() != null) {
      out.printf("index:     %s%n", manifest.indexDigest());
    }
    out.printf("platform:  %s%n", manifest.platform());
    out.printf("config:    %s%n", manifest.configDigest());
    out.printf(
        "layers:    %d, %s compressed%n%n",
        manifest.layers().size(), HumanSize.format(manifest.compressedSize()));
    String format = "%-5s  %-71s  %-46s  %10s  %s%n";
    out.printf(format, "LAYER", "DIGEST", "MEDIA TYPE", "SIZE", "DIFF ID");
    for (LayerDescriptor layer : manifest.layers()) {
      out.printf(
          format,
          layer.index(),
          layer.digest(),
          layer.mediaType(),
          HumanSize.format(layer.size()),
          layer.diffId());
    }
  }
}
