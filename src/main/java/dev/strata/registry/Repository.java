package dev.strata.registry;

/**
 * A repository on a registry: {@code registry} is the normalized domain (e.g. {@code docker.io},
 * {@code 127.0.0.1:5000}), {@code name} the path (e.g. {@code library/alpine}).
 */
public record Repository(String registry, String name) {

  /** The namespace above the last path component ({@code library} for {@code library/alpine}). */
  public String owner() {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? "" : name.substring(0, slash);
  }

  /** The last path component ({@code alpine} for {@code library/alpine}). */
  public String shortName() {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  @Override
  public String toString() {
    return registry + "/" + name;
  }
}
