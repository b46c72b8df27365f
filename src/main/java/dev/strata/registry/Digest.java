package dev.strata.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:e3b0c442…}. Only sha256 and sha512 are accepted; both are
 * what OCI allows for content a client must verify.
 */
public record Digest(String algorithm, String hex) {
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    Pattern shape =
        switch (algorithm) {
          case "sha256" -> SHA256;
          case "sha512" -> SHA512;
          default ->
              throw new IllegalArgumentException(
                  "unsupported digest algorithm '" + algorithm + "' (expected sha256 or sha512)");
        };
    if (!shape.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "malformed " + algorithm + " digest '" + hex + "': expected lowercase hex");
    }
  }

  /** Parses {@code algorithm:hex}; throws {@link IllegalArgumentException} naming the input. */
  public static Digest parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("malformed digest '" + text + "': expected sha256:<hex>");
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  public static Digest sha256(byte[] content) {
    return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(content)));
  }

  /** A fresh hasher for this digest's algorithm. */
  public MessageDigest newHasher() {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
  }

  /** The digest a finished hasher computed, in this digest's algorithm. */
  public Digest sameAlgorithm(MessageDigest finished) {
    return new Digest(algorithm, HexFormat.of().formatHex(finished.digest()));
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** The first 12 hex characters, as Docker shows them. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
