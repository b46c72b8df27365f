package dev.strata.contentcache.server;

/**
 * Rules for the names clients choose: reference names ({@code layer-index/sha256:<hex>/1}), lease
 * keys and lease holders. They are printable ASCII without spaces and bounded in length; names that
 * look like paths must not be able to climb ({@code ..}) or start at the root, even though the
 * store never uses them as paths (it names files by their sha256).
 */
final class Names {
  static final int MAX_NAME_LENGTH = 1024;
  static final int MAX_HOLDER_LENGTH = 256;

  private Names() {}

  /** Checks a reference name or lease key; throws {@link IllegalArgumentException} saying why. */
  static String checkName(String what, String name) {
    checkPrintable(what, name, MAX_NAME_LENGTH);
    if (name.startsWith("/") || name.contains("\\")) {
      throw new IllegalArgumentException(what + " '" + name + "' must be relative, '/' separated");
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            what + " '" + name + "' has an empty, '.' or '..' segment");
      }
    }
    return name;
  }

  /** Checks a lease holder: any printable ASCII word, bounded. */
  static String checkHolder(String holder) {
    return checkPrintable("lease holder", holder, MAX_HOLDER_LENGTH);
  }

  private static String checkPrintable(String what, String text, int maxLength) {
    if (text.isEmpty() || text.length() > maxLength) {
      throw new IllegalArgumentException(
          what + " must be 1 to " + maxLength + " characters, was " + text.length());
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(
            what + " may hold only printable ASCII without spaces; character " + i + " is not");
      }
    }
    return text;
  }
}
