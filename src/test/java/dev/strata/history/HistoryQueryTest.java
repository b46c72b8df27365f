package dev.strata.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HistoryQueryTest {
  @Test
  void defaults() {
    HistoryQuery query = HistoryQuery.defaults();
    assertThat(query).isEqualTo(new HistoryQuery(null, 1, 30, "scraped_at", "desc"));
    assertThat(HistoryQuery.of(null, null, null, null, null)).isEqualTo(query);
    assertThat(HistoryQuery.parse(null, null, "", "", null)).isEqualTo(query);
    assertThat(query.ascending()).isFalse();
    assertThat(query.offset()).isZero();
    assertThat(new HistoryQuery("", 1, 30, null, null).q()).isNull();
  }

  @Test
  void acceptsTheLimitsAndAnyCase() {
    HistoryQuery query = HistoryQuery.of("Alp", 7, 100, "LAYER_SIZE", "ASC");
    assertThat(query.sortBy()).isEqualTo("layer_size");
    assertThat(query.order()).isEqualTo("asc");
    assertThat(query.ascending()).isTrue();
    assertThat(query.offset()).isEqualTo(600);
    assertThat(query.q()).isEqualTo("Alp");
    assertThat(HistoryQuery.of(null, 1, 1, null, null).pageSize()).isEqualTo(1);
    assertThat(HistoryQuery.parse("x", " 3 ", "10", "tag", "desc"))
        .isEqualTo(new HistoryQuery("x", 3, 10, "tag", "desc"));
    for (String column : HistoryQuery.SORT_COLUMNS) {
      assertThat(HistoryQuery.of(null, null, null, column, null).sortBy()).isEqualTo(column);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void pageMustBePositive(int page) {
    assertThatThrownBy(() -> HistoryQuery.of(null, page, null, null, null))
        .isInstanceOf(InvalidQueryException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid page '" + page + "': expected a whole number of 1 or more")
        .extracting(e -> ((InvalidQueryException) e).parameter())
        .isEqualTo("page");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -5, 101, 1000})
  void pageSizeMustBeFrom1To100(int pageSize) {
    assertThatThrownBy(() -> HistoryQuery.of(null, null, pageSize, null, null))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessage("invalid page size '" + pageSize + "': expected a whole number from 1 to 100");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x", "layer_digest", "image_ref", "owner; DROP TABLE layer_metadata", ""})
  void sortByMustBeAKnownColumn(String sortBy) {
    if (sortBy.isEmpty()) {
      // empty means default when parsed from text, but is no column when given as such
      assertThat(HistoryQuery.parse(null, null, null, sortBy, null).sortBy())
          .isEqualTo("scraped_at");
      assertThatThrownBy(() -> HistoryQuery.of(null, null, null, sortBy, null))
          .hasMessageStartingWith("invalid sortby '':");
      return;
    }
    assertThatThrownBy(() -> HistoryQuery.of(null, null, null, sortBy, null))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessage(
            "invalid sortby '"
                + sortBy.toLowerCase(java.util.Locale.ROOT)
                + "': expected one of scraped_at, owner, repo, tag, layer_index, layer_size");
  }

  @ParameterizedTest
  @ValueSource(strings = {"up", "ascending", "descending", "1"})
  void orderMustBeAscOrDesc(String order) {
    assertThatThrownBy(() -> HistoryQuery.of(null, null, null, null, order))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessage("invalid order '" + order + "': expected one of asc, desc");
  }

  @Test
  void numbersFromTextMustParse() {
    assertThatThrownBy(() -> HistoryQuery.parse(null, "two", null, null, null))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessage("invalid page 'two': expected a whole number of 1 or more");
    assertThatThrownBy(() -> HistoryQuery.parse(null, null, "1e3", null, null))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessage("invalid page size '1e3': expected a whole number from 1 to 100");
    assertThatThrownBy(() -> HistoryQuery.parse(null, "99999999999", null, null, null))
        .isInstanceOf(InvalidQueryException.class);
  }

  @Test
  void qIsBounded() {
    assertThat(HistoryQuery.of("a".repeat(256), null, null, null, null).q()).hasSize(256);
    assertThatThrownBy(() -> HistoryQuery.of("a".repeat(257), null, null, null, null))
        .isInstanceOf(InvalidQueryException.class)
        .hasMessage("invalid q: 257 characters, expected at most 256");
  }
}
