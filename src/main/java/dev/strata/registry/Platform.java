package dev.strata.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An OCI platform ({@code os/architecture[/variant]}), normalized the way containerd normalizes it:
 * {@code x86_64} is {@code amd64}, {@code aarch64} is {@code arm64}, {@code arm64/v8} is plain
 * {@code arm64}, and plain {@code arm} is {@code arm/v7}.
 */
public record Platform(String os, String architecture, String variant) {

  public Platform {
    os = os.toLowerCase(Locale.ROOT);
    String arch = architecture.toLowerCase(Locale.ROOT);
    String v = variant == null ? "" : variant.toLowerCase(Locale.ROOT);
    switch (arch) {
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        if (v.equals("v1")) {
          v = "";
        }
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        if (v.equals("8") || v.equals("v8")) {
          v = "";
        }
      }
      case "armhf" -> {
        arch = "arm";
        v = "v7";
      }
      case "armel" -> {
        arch = "arm";
        v = "v6";
      }
      case "arm" -> {
        if (v.isEmpty() || v.equals("7")) {
          v = "v7";
        } else if (v.matches("[5-8]")) {
          v = "v" + v;
        }
      }
      case "i386", "i486", "i586", "i686", "x86" -> arch = "386";
      default -> {}
    }
    architecture = arch;
    variant = v;
  }

  /** Parses {@code os/arch[/variant]}; throws naming the input when malformed. */
  public static Platform parse(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || List.of(parts).contains("")) {
      throw new IllegalArgumentException(
          "invalid platform '" + text + "': expected OS/ARCH[/VARIANT], e.g. linux/arm64");
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
  }

  /** The platform of this JVM's host, as Docker would pick it. */
  public static Platform host() {
    String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
    String normalizedOs =
        os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "darwin" : "linux";
    return new Platform(normalizedOs, System.getProperty("os.arch", "amd64"), "");
  }

  /**
   * How well a candidate serves this wanted platform: 0 is exact, larger is a compatible fallback
   * (arm64 runs arm/v7; amd64/v3 runs amd64/v2), -1 is no match. Mirrors containerd's {@code
   * platforms.Only}.
   */
  public int rank(Platform candidate) {
    if (!os.equals(candidate.os)) {
      return -1;
    }
    List<Platform> acceptable = acceptable();
    return acceptable.indexOf(
        new Platform(candidate.os, candidate.architecture, candidate.variant));
  }

  private List<Platform> acceptable() {
    List<Platform> order = new ArrayList<>();
    order.add(this);
    switch (architecture) {
      case "arm64" -> {
        for (int v = 8; v >= 5; v--) {
          order.add(new Platform(os, "arm", "v" + v));
        }
      }
      case "arm" -> {
        int own = variantNumber();
        for (int v = own - 1; v >= 5; v--) {
          order.add(new Platform(os, "arm", "v" + v));
        }
      }
      case "amd64" -> {
        int own = variant.isEmpty() ? 1 : variantNumber();
        for (int v = own - 1; v >= 1; v--) {
          order.add(new Platform(os, "amd64", v == 1 ? "" : "v" + v));
        }
      }
      default -> {}
    }
    return order;
  }

  private int variantNumber() {
    try {
      return Integer.parseInt(variant.substring(1));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
