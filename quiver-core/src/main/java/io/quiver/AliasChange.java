package io.quiver;

import java.util.Objects;

/** One step of {@link Quiver#updateAliases}: create (or move), delete or rename an alias. */
public sealed interface AliasChange {
  /** Points {@code alias} at {@code collection}, creating it or moving it from another collection. */
  record Create(String alias, String collection) implements AliasChange {
    public Create {
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(collection, "collection");
    }
  }

  /** Removes {@code alias}, which must exist. */
  record Delete(String alias) implements AliasChange {
    public Delete {
      Objects.requireNonNull(alias, "alias");
    }
  }

  /** Renames alias {@code from}, which must exist, to {@code to}; it keeps its collection. */
  record Rename(String from, String to) implements AliasChange {
    public Rename {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }
}
