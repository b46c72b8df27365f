package dev.strata.contentcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointTest {
  @Test
  void parsesHostPortAndBracketedV6() {
    assertThat(Endpoint.parse("cache-1.example:7312"))
        .isEqualTo(new Endpoint("cache-1.example", 7312));
    assertThat(Endpoint.parse(" 127.0.0.1:80 ")).isEqualTo(new Endpoint("127.0.0.1", 80));
    Endpoint v6 = Endpoint.parse("[::1]:7312");
    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6.address()).isEqualTo("[::1]:7312");
    assertThat(Endpoint.parse(v6.address())).isEqualTo(v6);
  }

  @Test
  void refusesWhatIsNotHostPort() {
    for (String bad :
        new String[] {"host", "host:", ":80", "host:http", "host:0", "host:70000", "::1:80"}) {
      assertThatThrownBy(() -> Endpoint.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
