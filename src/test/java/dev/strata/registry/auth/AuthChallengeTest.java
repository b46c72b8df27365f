package dev.strata.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
  @Test
  void parsesABearerChallenge() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(
            List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    + "scope=\"repository:library/alpine:pull\""));
    assertThat(challenges).hasSize(1);
    AuthChallenge bearer = challenges.getFirst();
    assertThat(bearer.isBearer()).isTrue();
    assertThat(bearer.param("realm")).isEqualTo("https://auth.docker.io/token");
    assertThat(bearer.param("service")).isEqualTo("registry.docker.io");
    assertThat(bearer.param("scope")).isEqualTo("repository:library/alpine:pull");
  }

  @Test
  void parsesSeveralChallengesAndQuotedCommas() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(
            List.of(
                "Basic realm=\"Registry Realm\", Bearer realm=\"http://x/t\",scope=\"a:b:pull,push\"",
                "basic realm=plain"));
    assertThat(challenges)
        .extracting(AuthChallenge::scheme)
        .containsExactly("basic", "bearer", "basic");
    assertThat(challenges.get(0).param("realm")).isEqualTo("Registry Realm");
    assertThat(challenges.get(1).param("scope")).isEqualTo("a:b:pull,push");
    assertThat(challenges.get(2).param("realm")).isEqualTo("plain");
  }

  @Test
  void toleratesGarbage() {
    assertThat(AuthChallenge.parse(List.of("", ",,,", "=\"\""))).isEmpty();
  }
}
