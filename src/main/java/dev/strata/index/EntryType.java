package dev.strata.index;

/** The kinds of tar entries a layer can hold. */
public enum EntryType {
  FILE,
  DIRECTORY,
  SYMLINK,
  HARDLINK,
  CHAR_DEVICE,
  BLOCK_DEVICE,
  FIFO
}
