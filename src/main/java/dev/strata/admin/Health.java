package dev.strata.admin;

import java.util.List;

/**
 * What {@code GET /healthz} reports: healthy, or the reasons it is not (one line each, e.g. {@code
 * mount /run/strata/app does not answer: Transport endpoint is not connected}).
 */
public record Health(List<String> problems) {
  public Health {
    problems = List.copyOf(problems);
  }

  public static Health healthy() {
    return new Health(List.of());
  }

  public static Health unhealthy(List<String> reasons) {
    if (reasons.isEmpty()) {
      throw new IllegalArgumentException("an unhealthy report needs a reason");
    }
    return new Health(reasons);
  }

  public boolean ok() {
    return problems.isEmpty();
  }
}
