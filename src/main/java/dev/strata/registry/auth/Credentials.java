package dev.strata.registry.auth;

/**
 * A username and secret for one registry. {@code identityToken} is an OAuth2 refresh token (what
 * {@code docker login} stores for some registries) and replaces the password in token requests.
 * {@link #toString()} never shows a secret, so a credential that reaches a log line leaks nothing.
 */
public record Credentials(String username, String secret, String identityToken) {

  public static Credentials basic(String username, String secret) {
    return new Credentials(username, secret, null);
  }

  public boolean hasIdentityToken() {
    return identityToken != null && !identityToken.isEmpty();
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", secret=<redacted>]";
  }
}
