package dev.strata.registry.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header, e.g. {@code Bearer
 * realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"}.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {
  public AuthChallenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = Map.copyOf(params);
  }

  public String param(String name) {
    return params.getOrDefault(name, "");
  }

  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  public boolean isBasic() {
    return scheme.equals("basic");
  }

  /** Parses every challenge in the given header values (several may share one header). */
  public static List<AuthChallenge> parse(List<String> headerValues) {
    List<AuthChallenge> out = new ArrayList<>();
    for (String value : headerValues) {
      parseInto(value, out);
    }
    return out;
  }

  private static void parseInto(String header, List<AuthChallenge> out) {
    int i = 0;
    int n = header.length();
    String scheme = null;
    Map<String, String> params = new LinkedHashMap<>();
    while (i < n) {
      while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
        i++;
      }
      int start = i;
      while (i < n && isTokenChar(header.charAt(i))) {
        i++;
      }
      if (i == start) {
        i++; // skip a character that cannot start a token
        continue;
      }
      String token = header.substring(start, i);
      int j = i;
      while (j < n && header.charAt(j) == ' ') {
        j++;
      }
      if (j < n && header.charAt(j) == '=' && scheme != null) {
        j++;
        while (j < n && header.charAt(j) == ' ') {
          j++;
        }
        StringBuilder value = new StringBuilder();
        if (j < n && header.charAt(j) == '"') {
          j++;
          while (j < n && header.charAt(j) != '"') {
            if (header.charAt(j) == '\\' && j + 1 < n) {
              j++;
            }
            value.append(header.charAt(j++));
          }
          j++; // closing quote
        } else {
          while (j < n && header.charAt(j) != ',' && header.charAt(j) != ' ') {
            value.append(header.charAt(j++));
          }
        }
        params.put(token.toLowerCase(Locale.ROOT), value.toString());
        i = j;
      } else {
        if (scheme != null) {
          out.add(new AuthChallenge(scheme, params));
          params = new LinkedHashMap<>();
        }
        scheme = token;
        i = j;
      }
    }
    if (scheme != null) {
      out.add(new AuthChallenge(scheme, params));
    }
  }

  private static boolean isTokenChar(char c) {
    return Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }
}
