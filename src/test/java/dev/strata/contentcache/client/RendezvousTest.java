package dev.strata.contentcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static final int KEYS = 60_000;

  private static List<String> nodes(int n) {
    return IntStream.range(0, n).mapToObj(i -> "10.0.0." + (i + 1) + ":7312").toList();
  }

  private static List<String> keys() {
    Random random = new Random(42);
    byte[] digest = new byte[32];
    List<String> keys = new ArrayList<>(KEYS);
    for (int i = 0; i < KEYS; i++) {
      random.nextBytes(digest);
      keys.add("sha256:" + HexFormat.of().formatHex(digest));
    }
    return keys;
  }

  private static Rendezvous<String> over(List<String> nodes) {
    return new Rendezvous<>(nodes, Function.identity());
  }

  @Test
  void sameRouteWhateverTheNodeOrderAndInstance() {
    List<String> nodes = nodes(5);
    Rendezvous<String> a = over(nodes);
    Rendezvous<String> b = over(nodes.reversed());
    for (String key : keys().subList(0, 2000)) {
      List<String> route = a.rank(key);
      assertThat(route).containsExactlyInAnyOrderElementsOf(nodes);
      assertThat(b.rank(key)).isEqualTo(route);
      assertThat(a.rank(key)).isEqualTo(route);
    }
    assertThat(a.rank("layer-index/sha256:00/1")).isEqualTo(b.rank("layer-index/sha256:00/1"));
  }

  @Test
  void spreadsKeysEvenlyOverTheNodes() {
    for (int n : new int[] {2, 3, 5, 8}) {
      Rendezvous<String> r = over(nodes(n));
      Map<String, Integer> owned = new HashMap<>();
      keys().forEach(k -> owned.merge(r.owner(k), 1, Integer::sum));
      double fair = (double) KEYS / n;
      assertThat(owned).hasSize(n);
      assertThat(owned.values())
          .allSatisfy(c -> assertThat(c).isBetween((int) (fair * 0.93), (int) (fair * 1.07)));
    }
  }

  @Test
  void spreadsSecondChoicesEvenlyToo() {
    // With replication the second node of a route takes the load when the first is down.
    Rendezvous<String> r = over(nodes(4));
    Map<String, Integer> second = new HashMap<>();
    keys().forEach(k -> second.merge(r.rank(k).get(1), 1, Integer::sum));
    assertThat(second.values()).allSatisfy(c -> assertThat(c).isBetween(14_000, 16_000));
  }

  @Test
  void removingANodeMovesOnlyItsKeysToTheirNextChoice() {
    List<String> nodes = nodes(5);
    String removed = nodes.get(2);
    Rendezvous<String> before = over(nodes);
    Rendezvous<String> after = over(nodes.stream().filter(n -> !n.equals(removed)).toList());
    int moved = 0;
    for (String key : keys()) {
      List<String> route = before.rank(key);
      String now = after.owner(key);
      if (route.getFirst().equals(removed)) {
        moved++;
        assertThat(now).isEqualTo(route.get(1));
      } else {
        assertThat(now).isEqualTo(route.getFirst());
      }
      assertThat(after.rank(key))
          .isEqualTo(route.stream().filter(n -> !n.equals(removed)).toList());
    }
    assertThat(moved).isBetween(KEYS / 5 * 93 / 100, KEYS / 5 * 107 / 100);
  }

  @Test
  void addingANodeMovesAboutOneShareAllToIt() {
    List<String> nodes = nodes(5);
    String added = "10.0.0.99:7312";
    List<String> grown = new ArrayList<>(nodes);
    grown.add(added);
    Rendezvous<String> before = over(nodes);
    Rendezvous<String> after = over(grown);
    int moved = 0;
    for (String key : keys()) {
      String was = before.owner(key);
      String now = after.owner(key);
      if (!now.equals(was)) {
        moved++;
        assertThat(now).isEqualTo(added);
      }
    }
    double share = (double) moved / KEYS;
    assertThat(share).isBetween(1.0 / 6 * 0.93, 1.0 / 6 * 1.07);
  }

  @Test
  void refusesDuplicateIds() {
    assertThatThrownBy(() -> over(List.of("a:1", "b:1", "a:1")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSingleNodeOwnsEverything() {
    Rendezvous<String> r = over(List.of("only:1"));
    assertThat(r.rank("x")).containsExactly("only:1");
    assertThat(r.size()).isEqualTo(1);
  }
}
