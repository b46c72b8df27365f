package dev.strata.registry;

/**
 * A token scope, e.g. {@code repository:library/alpine:pull} or {@code registry:catalog:*}.
 *
 * @param type {@code repository} or {@code registry}
 */
public record Scope(String type, String name, String actions) {
  public static Scope pull(Repository repository) {
    return new Scope("repository", repository.name(), "pull");
  }

  public static Scope push(Repository repository) {
    return new Scope("repository", repository.name(), "pull,push");
  }

  public static final Scope CATALOG = new Scope("registry", "catalog", "*");

  @Override
  public String toString() {
    return type + ":" + name + ":" + actions;
  }
}
