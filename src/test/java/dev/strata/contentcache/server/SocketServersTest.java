package dev.strata.contentcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SocketServersTest {
  @Test
  void listenAddressesParseAndFormatBack() {
    InetSocketAddress v4 = SocketServers.parseAddress("127.0.0.1:7312");
    assertThat(v4.getPort()).isEqualTo(7312);
    assertThat(SocketServers.format(v4)).isEqualTo("127.0.0.1:7312");
    InetSocketAddress v6 = SocketServers.parseAddress("[::1]:0");
    assertThat(v6.getAddress().isLoopbackAddress()).isTrue();
    assertThat(SocketServers.format(v6)).isEqualTo("[0:0:0:0:0:0:0:1]:0");
  }

  @Test
  void malformedAddressesAreRefused() {
    for (String bad :
        new String[] {"7312", ":7312", "host:", "127.0.0.1:http", "127.0.0.1:70000"}) {
      assertThatThrownBy(() -> SocketServers.parseAddress(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
