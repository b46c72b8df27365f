package dev.strata.registry;

import java.util.regex.Pattern;

/**
 * An image reference normalized by Docker's rules: {@code alpine} is {@code
 * docker.io/library/alpine:latest}; the first path component is a registry only when it contains a
 * dot or a colon or is {@code localhost}; a digest pins the content and then the tag is only a
 * label.
 *
 * @param tag the tag, or {@code null} when only a digest was given
 * @param digest the digest, or {@code null}
 */
public record ImageRef(Repository repository, String tag, Digest digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final int MAX_NAME_LENGTH = 255;

  private static final Pattern PATH_COMPONENT =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
              + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

  public ImageRef {
    if (tag == null && digest == null) {
      throw new IllegalArgumentException("an image reference needs a tag or a digest");
    }
  }

  public static ImageRef parse(String reference) {
    if (reference == null || reference.isBlank()) {
      throw new InvalidReferenceException(String.valueOf(reference), "empty reference");
    }
    if (!reference.strip().equals(reference)) {
      throw new InvalidReferenceException(reference, "leading or trailing whitespace");
    }
    String rest = reference;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw new InvalidReferenceException(reference, e.getMessage());
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int tagColon = rest.lastIndexOf(':');
    if (tagColon > lastSlash) {
      tag = rest.substring(tagColon + 1);
      rest = rest.substring(0, tagColon);
      if (!TAG.matcher(tag).matches()) {
        throw new InvalidReferenceException(
            reference, "malformed tag '" + tag + "' (letters, digits, '_', '.', '-'; max 128)");
      }
    }
    Repository repository = parseRepository(reference, rest);
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageRef(repository, tag, digest);
  }

  /** Parses a repository without tag or digest, e.g. for {@code strata tags}. */
  public static Repository parseRepository(String repository) {
    if (repository.contains("@")) {
      throw new InvalidReferenceException(repository, "a repository takes no digest");
    }
    int lastSlash = repository.lastIndexOf('/');
    if (repository.lastIndexOf(':') > lastSlash) {
      throw new InvalidReferenceException(repository, "a repository takes no tag");
    }
    return parseRepository(repository, repository);
  }

  private static Repository parseRepository(String reference, String name) {
    if (name.isEmpty()) {
      throw new InvalidReferenceException(reference, "missing repository name");
    }
    String domain = DOCKER_HUB;
    String path = name;
    int slash = name.indexOf('/');
    if (slash > 0) {
      String first = name.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        domain = first;
        path = name.substring(slash + 1);
        if (!DOMAIN.matcher(domain).matches()) {
          throw new InvalidReferenceException(reference, "malformed registry '" + domain + "'");
        }
      }
    }
    if (domain.equals("index.docker.io") || domain.equals("registry-1.docker.io")) {
      domain = DOCKER_HUB;
    }
    if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
      path = "library/" + path;
    }
    if (!path.toLowerCase(java.util.Locale.ROOT).equals(path)) {
      throw new InvalidReferenceException(reference, "repository name must be lowercase");
    }
    for (String component : path.split("/", -1)) {
      if (!PATH_COMPONENT.matcher(component).matches()) {
        throw new InvalidReferenceException(
            reference,
            component.isEmpty()
                ? "empty path component"
                : "malformed path component '" + component + "'");
      }
    }
    if (path.length() > MAX_NAME_LENGTH) {
      throw new InvalidReferenceException(reference, "repository name longer than 255 characters");
    }
    return new Repository(domain, path);
  }

  /** What to ask the registry for: the digest when pinned, else the tag. */
  public String manifestReference() {
    return digest != null ? digest.toString() : tag;
  }

  public ImageRef withDigest(Digest pinned) {
    return new ImageRef(repository, tag, pinned);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(repository.toString());
    if (tag != null) {
      text.append(':').append(tag);
    }
    if (digest != null) {
      text.append('@').append(digest);
    }
    return text.toString();
  }
}
