package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.registry.auth.CredentialSource;
import dev.strata.registry.auth.TokenCache;
import java.time.Clock;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class RegistryHttpTest {
  private final RegistryHttp http =
      new RegistryHttp(
          new OkHttpClient(),
          CredentialSource.none(),
          RetryPolicy.DEFAULT,
          Sleeper.REAL,
          Set.of("insecure.example:5000", "plainhost"),
          new TokenCache(Clock.systemUTC()));

  @Test
  void loopbackAndNamedInsecureRegistriesUsePlainHttp() {
    assertThat(http.url("localhost:5000", "/v2/")).hasToString("http://localhost:5000/v2/");
    assertThat(http.url("127.0.0.1:5000", "/v2/")).hasToString("http://127.0.0.1:5000/v2/");
    assertThat(http.url("127.8.9.10", "/v2/")).hasToString("http://127.8.9.10/v2/");
    assertThat(http.url("[::1]:5000", "/v2/")).hasToString("http://[::1]:5000/v2/");
    assertThat(http.url("insecure.example:5000", "/v2/"))
        .hasToString("http://insecure.example:5000/v2/");
    assertThat(http.url("plainhost:8080", "/v2/")).hasToString("http://plainhost:8080/v2/");
  }

  @Test
  void everythingElseUsesHttpsAndDockerHubItsApiHost() {
    assertThat(http.url("ghcr.io", "/v2/")).hasToString("https://ghcr.io/v2/");
    assertThat(http.url("insecure.example:5001", "/v2/"))
        .hasToString("https://insecure.example:5001/v2/");
    assertThat(http.url("127.0.0.1.example.com", "/v2/"))
        .hasToString("https://127.0.0.1.example.com/v2/");
    assertThat(http.url("docker.io", "/v2/library/alpine/manifests/latest"))
        .hasToString("https://registry-1.docker.io/v2/library/alpine/manifests/latest");
  }

  @Test
  void redactionDropsQueryStrings() {
    HttpUrl signed =
        HttpUrl.get("https://storage.example/blob?X-Amz-Signature=secret&X-Amz-Credential=c");
    assertThat(RegistryHttp.redact(signed))
        .isEqualTo("https://storage.example/blob?…")
        .doesNotContain("secret");
  }
}
